/**
 * The umbrella chart: all four apps from one values file, shared settings once under
 * global.herald, one migration hook Job for the release, and apps that can be left out.
 */
import { cleanupCharts, renderOk } from './support/helm';
import { env, envValue, mainContainer, must, ofKind, one, podSpec } from './support/kube';
import { APP_NAMES } from './support/repo';

afterAll(() => cleanupCharts());

function deployments(objects: ReturnType<typeof renderOk>) {
  return new Map(ofKind(objects, 'Deployment').map((d) => [d.metadata.labels?.['app.kubernetes.io/name'] ?? '', d]));
}

test('default values: the four apps, named after the release, and one migration Job', () => {
  const objects = renderOk('herald');
  const byApp = deployments(objects);
  expect([...byApp.keys()].sort()).toEqual([...APP_NAMES].sort());
  for (const app of APP_NAMES) expect(byApp.get(app)?.metadata.name).toBe(`herald-${app}`);
  const job = one(objects, 'Job');
  expect(job.metadata.name).toBe('herald-migrate');
  expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  expect(env(mainContainer(job)).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-database', key: 'DATABASE_URL' });
});

test('global.herald reaches every app: brokers, topic prefix, queue prefix, Secrets, image registry and tag', () => {
  const objects = renderOk('herald', {
    values: [
      {
        global: {
          herald: {
            image: { registry: 'registry.example.com', tag: '1.2.3', pullPolicy: 'Always' },
            imagePullSecrets: ['regcred'],
            kafka: { brokers: ['k1:9092', 'k2:9092'], topicPrefix: 'staging' },
            database: { existingSecret: 'db', existingSecretKey: 'url' },
            redis: { existingSecret: 'cache', existingSecretKey: 'url' },
            queues: { prefix: 'herald-staging' },
          },
        },
      },
    ],
  });
  for (const [app, d] of deployments(objects)) {
    const c = mainContainer(d);
    expect(c.image).toBe(`registry.example.com/herald/${app}:1.2.3`);
    expect(c.imagePullPolicy).toBe('Always');
    expect(podSpec(d).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(envValue(c, 'KAFKA_BROKERS')).toBe('k1:9092,k2:9092');
    expect(envValue(c, 'KAFKA_TOPIC_PREFIX')).toBe('staging');
    expect(env(c).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'db', key: 'url' });
    expect(env(c).get('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'cache', key: 'url' });
    if (app !== 'ingest-api') expect(envValue(c, 'QUEUE_PREFIX')).toBe('herald-staging');
    expect(d.metadata.labels?.['app.kubernetes.io/version']).toBe('1.2.3');
  }
  const job = mainContainer(one(objects, 'Job'));
  expect(job.image).toBe('registry.example.com/herald/migrate:1.2.3');
  expect(env(job).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'db', key: 'url' });
});

test('app values go under the app\'s key; the app charts\' own migration Jobs stay off', () => {
  const objects = renderOk('herald', {
    values: [{ 'email-worker': { replicaCount: 4, config: { WORKER_CONCURRENCY: 7 } }, 'ingest-api': { autoscaling: { enabled: true } } }],
  });
  const byApp = deployments(objects);
  expect(byApp.get('email-worker')?.spec.replicas).toBe(4);
  expect(envValue(mainContainer(must(byApp.get('email-worker'), 'email-worker Deployment')), 'WORKER_CONCURRENCY')).toBe('7');
  expect(byApp.get('ingest-api')?.spec).not.toHaveProperty('replicas');
  expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe('herald-ingest-api');
  expect(ofKind(objects, 'Job').map((j) => j.metadata.name)).toEqual(['herald-migrate']);
});

test('an app can be left out, and so can the migration Job', () => {
  const objects = renderOk('herald', { values: [{ 'sms-worker': { enabled: false }, migrations: { enabled: false } }] });
  expect([...deployments(objects).keys()].sort()).toEqual(['email-worker', 'ingest-api', 'kafka-bridge']);
  expect(ofKind(objects, 'Job')).toEqual([]);
  expect(objects.some((o) => o.metadata.name.includes('sms-worker'))).toBe(false);
});

test('production-like values: KEDA for the bridge and workers, HPA for the API, per-app Secrets', () => {
  const objects = renderOk('herald', { valuesFiles: ['ci/production-values.yaml'] });
  const scaled = ofKind(objects, 'ScaledObject').map((s) => s.spec.scaleTargetRef.name).sort();
  expect(scaled).toEqual(['herald-email-worker', 'herald-kafka-bridge', 'herald-sms-worker']);
  expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe('herald-ingest-api');
  for (const d of ofKind(objects, 'Deployment')) expect(d.spec).not.toHaveProperty('replicas');
  const byApp = deployments(objects);
  expect(env(mainContainer(must(byApp.get('email-worker'), 'email-worker Deployment'))).get('SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-smtp', key: 'url' });
  expect(podSpec(one(objects, 'Job')).serviceAccountName).toBe('herald-migrations');
  expect(ofKind(objects, 'ServiceMonitor')).toHaveLength(4);
});
