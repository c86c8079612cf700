/**
 * The umbrella chart: every app from one values file (the receipts-api once switched on), shared
 * settings once under global.herald, one migration hook Job for the release, and apps that can be
 * left out.
 */
import { cleanupCharts, renderOk } from './support/helm';
import { env, envValue, mainContainer, must, ofKind, one, podSpec } from './support/kube';
import { APP_FACTS, APP_NAMES, EVERY_APP_ON, UMBRELLA_DEFAULT_APPS } from './support/repo';

afterAll(() => cleanupCharts());

function deployments(objects: ReturnType<typeof renderOk>) {
  return new Map(ofKind(objects, 'Deployment').map((d) => [d.metadata.labels?.['app.kubernetes.io/name'] ?? '', d]));
}

test('default values: every app but the receipts-api, named after the release, and one migration Job', () => {
  const objects = renderOk('herald');
  const byApp = deployments(objects);
  expect([...byApp.keys()].sort()).toEqual([...UMBRELLA_DEFAULT_APPS].sort());
  expect(UMBRELLA_DEFAULT_APPS).not.toContain('receipts-api');
  for (const app of UMBRELLA_DEFAULT_APPS) expect(byApp.get(app)?.metadata.name).toBe(`herald-${app}`);
  expect([...deployments(renderOk('herald', { values: [EVERY_APP_ON] })).keys()].sort()).toEqual([...APP_NAMES].sort());
  const job = one(objects, 'Job');
  expect(job.metadata.name).toBe('herald-migrate');
  expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  expect(env(mainContainer(job)).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-database', key: 'DATABASE_URL' });
});

test('global.herald reaches every app: brokers, topic prefix, queue prefix, Secrets, image registry and tag', () => {
  const objects = renderOk('herald', {
    values: [
      EVERY_APP_ON,
      {
        global: {
          herald: {
            image: { registry: 'registry.example.com', tag: '1.2.3', pullPolicy: 'Always' },
            imagePullSecrets: ['regcred'],
            kafka: { brokers: ['k1:9092', 'k2:9092'], topicPrefix: 'staging' },
            database: { existingSecret: 'db', existingSecretKey: 'url' },
            redis: { existingSecret: 'cache', existingSecretKey: 'url' },
            queues: { prefix: 'herald-staging' },
            webhooks: { secretsKey: { existingSecret: 'staging-webhooks', existingSecretKey: 'key' }, allowPrivateTargets: true },
          },
        },
      },
    ],
  });
  const byApp = deployments(objects);
  expect(byApp.size).toBe(APP_NAMES.length);
  for (const [app, d] of byApp) {
    const c = mainContainer(d);
    const facts = APP_FACTS[app as keyof typeof APP_FACTS];
    expect(c.image).toBe(`registry.example.com/herald/${app}:1.2.3`);
    expect(c.imagePullPolicy).toBe('Always');
    expect(podSpec(d).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(envValue(c, 'KAFKA_BROKERS')).toBe('k1:9092,k2:9092');
    expect(envValue(c, 'KAFKA_TOPIC_PREFIX')).toBe('staging');
    // The receipts-api has neither a database nor Redis: the shared Secrets do not reach it.
    expect(env(c).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual(facts.database ? { name: 'db', key: 'url' } : undefined);
    expect(env(c).get('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual(facts.redis ? { name: 'cache', key: 'url' } : undefined);
    // Every app with the queues: the ingest-api too (webhook tests and replays go to the WebhookQueue).
    expect(envValue(c, 'QUEUE_PREFIX')).toBe(app === 'receipts-api' ? undefined : 'herald-staging');
    // The ingest-api and the webhook-worker: the same key (it seals and opens the signing secrets) and target rules.
    const webhooks = app === 'ingest-api' || app === 'webhook-worker';
    expect(env(c).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual(webhooks ? { name: 'staging-webhooks', key: 'key' } : undefined);
    expect(envValue(c, 'WEBHOOK_ALLOW_PRIVATE_TARGETS')).toBe(webhooks ? 'true' : undefined);
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
  expect([...deployments(objects).keys()].sort()).toEqual(['email-worker', 'ingest-api', 'kafka-bridge', 'webhook-worker']);
  expect(ofKind(objects, 'Job')).toEqual([]);
  expect(objects.some((o) => o.metadata.name.includes('sms-worker'))).toBe(false);
});

test('production-like values: KEDA for the bridge and workers, HPA for the API and the receipts-api, email through SES then SendGrid with their receipts', () => {
  const objects = renderOk('herald', { valuesFiles: ['ci/production-values.yaml'] });
  const scaled = ofKind(objects, 'ScaledObject').map((s) => s.spec.scaleTargetRef.name).sort();
  expect(scaled).toEqual(['herald-email-worker', 'herald-kafka-bridge', 'herald-sms-worker', 'herald-webhook-worker']);
  expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['herald-ingest-api', 'herald-receipts-api']);
  for (const d of ofKind(objects, 'Deployment')) expect(d.spec).not.toHaveProperty('replicas');
  const byApp = deployments(objects);
  expect([...byApp.keys()].sort()).toEqual([...APP_NAMES].sort());
  const email = mainContainer(must(byApp.get('email-worker'), 'email-worker Deployment'));
  // SES first, SendGrid when SES fails or its breaker is open; SES held to its account's send rate.
  expect(envValue(email, 'EMAIL_PROVIDERS')).toBe('ses,sendgrid');
  expect(envValue(email, 'PROVIDER_RATE_LIMITS')).toBe('ses=14');
  // The pod's IAM role: no static key, and no SMTP relay whose Secret would have to exist.
  expect(env(email).get('SES_SECRET_ACCESS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-email-providers', key: 'SES_SECRET_ACCESS_KEY', optional: true });
  expect(env(email).get('SENDGRID_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-email-providers', key: 'sendgrid-api-key' });
  expect(env(email).get('SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-smtp', key: 'SMTP_URL', optional: true });
  const sms = mainContainer(must(byApp.get('sms-worker'), 'sms-worker Deployment'));
  expect(envValue(sms, 'SMS_PROVIDERS')).toBe('http,twilio');
  expect(env(sms).get('TWILIO_AUTH_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-sms-providers', key: 'TWILIO_AUTH_TOKEN' });
  const receipts = mainContainer(must(byApp.get('receipts-api'), 'receipts-api Deployment'));
  expect(envValue(receipts, 'RECEIPT_PROVIDERS')).toBe('ses,sendgrid,twilio');
  expect(envValue(receipts, 'RECEIPTS_PUBLIC_URL')).toBe('https://receipts.example.com');
  expect(envValue(receipts, 'KAFKA_TOPIC_PREFIX')).toBe('prod');
  expect(ofKind(objects, 'Ingress').map((i) => i.metadata.name).sort()).toEqual(['herald-ingest-api', 'herald-receipts-api']);
  expect(podSpec(one(objects, 'Job')).serviceAccountName).toBe('herald-migrations');
  // One Secret holds the webhook secrets key of both apps.
  for (const app of ['ingest-api', 'webhook-worker'] as const) {
    expect(env(mainContainer(must(byApp.get(app), `${app} Deployment`))).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-webhooks', key: 'secrets-key' });
  }
  expect(ofKind(objects, 'ServiceMonitor')).toHaveLength(6);
});
