/**
 * Every chart, with its default values and with its production-like values (ci/production-values.yaml):
 * helm lint --strict passes, helm template renders, every object is valid for the Kubernetes API
 * (kubernetes-models) and has no field its kind does not define, and what a platform team
 * reviews holds: hardened security contexts, liveness separate from readiness, resources, the
 * drain, a PodDisruptionBudget, no replicas under an autoscaler, the migration hook, Secrets
 * referenced and never inlined.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanupCharts, lint, renderOk, type KubeObject } from './support/helm';
import { deploymentOf, env, envValue, mainContainer, ofKind, one, podSpec, selects, validateObjects } from './support/kube';
import { APP_FACTS, APP_NAMES, ALL_CHARTS, SECRET_VARIABLES, UMBRELLA_DEFAULT_APPS, chartsDir, type AppName } from './support/repo';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

const VALUE_SETS = [
  { label: 'default values', valuesFiles: [] as string[] },
  { label: 'production-like values', valuesFiles: ['ci/production-values.yaml'] },
];

/** Secrets in the production-like values are named, never given: no value there looks like one. */
const CREDENTIAL_IN_URL = /:\/\/[^/\s:@]+:[^/\s@]+@/;

/** The apps a render of `chart` holds: the umbrella's production-like values switch the receipts-api on too. */
function appsIn(chart: string, valuesFiles: string[]): AppName[] {
  if (chart !== 'herald') return [chart as AppName];
  return valuesFiles.length ? [...APP_NAMES] : [...UMBRELLA_DEFAULT_APPS];
}

describe.each(ALL_CHARTS)('chart %s', (chart) => {
  describe.each(VALUE_SETS)('with $label', ({ valuesFiles }) => {
    let objects: KubeObject[];
    beforeAll(() => {
      objects = renderOk(chart, { valuesFiles });
    });

    test('helm lint --strict passes', () => {
      const result = lint(chart, { valuesFiles });
      expect(result.stderr).toBe('');
      expect(result.ok).toBe(true);
    });

    test('every object is valid for the Kubernetes API (kubernetes-models)', () => {
      expect(objects.length).toBeGreaterThan(0);
      const results = validateObjects(objects);
      expect(results).toHaveLength(objects.length);
      expect(results.filter((r) => r.errors.length)).toEqual([]);
      // Core kinds are checked by a model; only the KEDA and Prometheus Operator kinds are not.
      expect(results.filter((r) => r.model === null).map((r) => r.kind).every((k) => ['ScaledObject', 'TriggerAuthentication', 'ServiceMonitor'].includes(k))).toBe(true);
    });

    test('no object has a field its kind does not define', () => {
      expect(unknownFields(objects)).toEqual([]);
    });

    test('objects are namespaced, labelled and uniquely named', () => {
      const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
      for (const o of objects) {
        expect(o.metadata.namespace).toBe('notifications');
        expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('herald');
        expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
        expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(o.metadata.name.length).toBeLessThanOrEqual(63);
      }
    });

    test('no Secret is rendered and no secret value is inlined', () => {
      expect(ofKind(objects, 'Secret')).toEqual([]);
      expect(ofKind(objects, 'ConfigMap')).toEqual([]);
      const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')];
      for (const w of workloads) {
        for (const c of podSpec(w).containers) {
          for (const e of c.env ?? []) {
            if ((SECRET_VARIABLES as readonly string[]).includes(e.name)) {
              expect({ name: e.name, value: e.value }).toEqual({ name: e.name, value: undefined });
              expect(e.valueFrom?.secretKeyRef?.name).toMatch(/^[a-z0-9]/);
              expect(e.valueFrom?.secretKeyRef?.key).toMatch(/\S/);
            }
            expect(e.value ?? '').not.toMatch(CREDENTIAL_IN_URL);
          }
        }
      }
      const text = JSON.stringify(objects);
      expect(text).not.toMatch(CREDENTIAL_IN_URL);
    });

    test.each(appsIn(chart, valuesFiles))('%s: pod and container are hardened', (app) => {
      const deployment = deploymentOf(objects, app);
      expect(deployment.metadata.labels?.['app.kubernetes.io/component']).toBe(APP_FACTS[app].component);
      const pod = podSpec(deployment);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect(pod.containers).toHaveLength(1);
      const c = mainContainer(deployment);
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext?.capabilities?.add).toBeUndefined();
      // The read-only root filesystem leaves /tmp writable through an emptyDir.
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir?.sizeLimit).toBeDefined();
      // The pod's ServiceAccount mounts no token either.
      const accountName = pod.serviceAccountName;
      const account = ofKind(objects, 'ServiceAccount').find((a) => a.metadata.name === accountName);
      expect(account).toBeDefined();
      expect(account?.['automountServiceAccountToken']).toBe(false);
    });

    test.each(appsIn(chart, valuesFiles))('%s: liveness and readiness are separate probes on the app port', (app) => {
      const c = mainContainer(deploymentOf(objects, app));
      const facts = APP_FACTS[app];
      expect(c.ports).toEqual([{ name: 'http', containerPort: facts.port, protocol: 'TCP' }]);
      expect(envValue(c, facts.portVar)).toBe(String(facts.port));
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      // Liveness gives up later than readiness: a slow dependency makes a pod unready, not restarted.
      const liveness = (c.livenessProbe?.periodSeconds ?? 10) * (c.livenessProbe?.failureThreshold ?? 3);
      const readiness = (c.readinessProbe?.periodSeconds ?? 10) * (c.readinessProbe?.failureThreshold ?? 3);
      expect(liveness).toBeGreaterThan(readiness);
    });

    test.each(appsIn(chart, valuesFiles))('%s: resources are requested and memory is limited', (app) => {
      const c = mainContainer(deploymentOf(objects, app));
      expect(c.resources?.requests?.['cpu']).toBeDefined();
      expect(c.resources?.requests?.['memory']).toBeDefined();
      expect(c.resources?.limits?.['memory']).toBeDefined();
    });

    test.each(appsIn(chart, valuesFiles))('%s: preStop and terminationGracePeriodSeconds outlast the drain', (app) => {
      const deployment = deploymentOf(objects, app);
      const c = mainContainer(deployment);
      const drainMs = Number(envValue(c, 'SHUTDOWN_GRACE_MS'));
      expect(drainMs).toBeGreaterThanOrEqual(1000);
      const preStop = c.lifecycle?.preStop?.sleep?.seconds;
      expect(preStop).toBeGreaterThan(0);
      const grace = podSpec(deployment).terminationGracePeriodSeconds ?? 30;
      expect(grace).toBeGreaterThan((preStop ?? 0) + drainMs / 1000);
      // With the app's own default drain too (when the chart leaves it at the default).
      if (valuesFiles.length === 0) expect(drainMs).toBe(APP_FACTS[app].drainMs);
    });

    test.each(appsIn(chart, valuesFiles))('%s: a PodDisruptionBudget covers the pods', (app) => {
      const deployment = deploymentOf(objects, app);
      const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
      const pdbs = ofKind(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector.matchLabels, podLabels));
      expect(pdbs).toHaveLength(1);
      const spec = (pdbs[0] as KubeObject).spec;
      expect(spec.minAvailable ?? spec.maxUnavailable).toBeDefined();
      expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    });

    test.each(appsIn(chart, valuesFiles))('%s: no replicas field when an autoscaler owns the count', (app) => {
      const deployment = deploymentOf(objects, app);
      const name = deployment.metadata.name;
      const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
      const scaledObject = ofKind(objects, 'ScaledObject').find((s) => s.spec.scaleTargetRef.name === name);
      expect(hpa && scaledObject).toBeFalsy();
      if (hpa || scaledObject) {
        expect(deployment.spec).not.toHaveProperty('replicas');
      } else {
        expect(deployment.spec.replicas).toBeGreaterThanOrEqual(1);
      }
      if (hpa) {
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(hpa.spec.metrics[0]).toMatchObject({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } });
      }
    });

    test.each(appsIn(chart, valuesFiles))('%s: the environment is what the app reads', (app) => {
      const c = mainContainer(deploymentOf(objects, app));
      const names = (c.env ?? []).map((e) => e.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      const values = [...env(c).values()].filter((e) => e.value !== undefined).map((e) => e.value as string);
      // Numbers are written out whole (no 1e+06), lists joined with commas.
      for (const v of values) expect(v).not.toMatch(/^\d(\.\d+)?e\+\d+$/);
      expect(envValue(c, 'KAFKA_BROKERS')).toMatch(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
      if (app === 'ingest-api') expect(envValue(c, 'WEB_CONCURRENCY')).toBe('1');
    });

    test('the Services and NetworkPolicies select the pods they are for', () => {
      for (const app of appsIn(chart, valuesFiles)) {
        const deployment = deploymentOf(objects, app);
        const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
        const services = ofKind(objects, 'Service').filter((s) => selects(s.spec.selector, podLabels));
        expect(services).toHaveLength(1);
        expect((services[0] as KubeObject).spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });
        const policies = ofKind(objects, 'NetworkPolicy').filter((p) => selects(p.spec.podSelector.matchLabels, podLabels));
        expect(policies).toHaveLength(1);
        expect((policies[0] as KubeObject).spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
      }
    });

    test('the migrations run once, as a pre-install/pre-upgrade hook Job that uses nothing the release creates', () => {
      const jobs = ofKind(objects, 'Job');
      // The umbrella runs one for all; an app chart runs its own unless its production-like values
      // leave it to another (the ingest-api's keeps it); the receipts-api has no database.
      const expected = chart === 'herald' || chart === 'ingest-api' ? 1 : chart === 'receipts-api' ? 0 : valuesFiles.length === 0 ? 1 : 0;
      expect(jobs).toHaveLength(expected);
      for (const job of jobs) {
        expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
        expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
        const pod = podSpec(job);
        expect(pod.restartPolicy).toBe('Never');
        expect(pod.automountServiceAccountToken).toBe(false);
        const created = new Set(ofKind(objects, 'ServiceAccount').map((a) => a.metadata.name));
        if (pod.serviceAccountName) expect(created.has(pod.serviceAccountName)).toBe(false);
        const c = mainContainer(job);
        expect(c.image).toMatch(/\/?herald\/migrate[:@]/);
        expect(c.envFrom).toBeUndefined();
        expect(env(c).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toBeDefined();
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources?.limits?.['memory']).toBeDefined();
        // The migration pod is not selected by the apps' Services, PDBs or NetworkPolicies.
        const labels = job.spec.template.metadata.labels as Record<string, string>;
        for (const s of ofKind(objects, 'Service')) expect(selects(s.spec.selector, labels)).toBe(false);
        for (const p of ofKind(objects, 'PodDisruptionBudget')) expect(selects(p.spec.selector.matchLabels, labels)).toBe(false);
      }
      // No app runs migrations at start: no init containers, the apps' own entrypoints.
      for (const d of ofKind(objects, 'Deployment')) {
        expect(podSpec(d).initContainers).toBeUndefined();
        expect(mainContainer(d).command).toBeUndefined();
        expect(mainContainer(d).args).toBeUndefined();
      }
    });
  });
});

describe('production-like values', () => {
  test('ingest-api: HPA on CPU, Ingress on /v1 only, digest-pinned image, ServiceMonitor on the http port', () => {
    const objects = renderOk('ingest-api', { valuesFiles: ['ci/production-values.yaml'] });
    const deployment = one(objects, 'Deployment');
    expect(deployment.spec).not.toHaveProperty('replicas');
    expect(one(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 30 });
    expect(mainContainer(deployment).image).toMatch(/^registry\.example\.com\/herald\/ingest-api@sha256:[a-f0-9]{64}$/);
    expect(podSpec(deployment).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    const paths = one(objects, 'Ingress').spec.rules.flatMap((r: { http: { paths: Array<{ path: string }> } }) => r.http.paths.map((p) => p.path));
    expect(paths).toEqual(['/v1']);
    expect(one(objects, 'ServiceMonitor').spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(one(objects, 'PodDisruptionBudget').spec).toEqual(expect.objectContaining({ minAvailable: 2, unhealthyPodEvictionPolicy: 'AlwaysAllow' }));
    expect(one(objects, 'PodDisruptionBudget').spec).not.toHaveProperty('maxUnavailable');
    const policy = one(objects, 'NetworkPolicy').spec;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
    // Narrowed in the values: kube-dns, Kafka's namespace, the data subnet (egress.test.ts has the rest).
    expect(policy.egress.map((r: { ports: Array<{ port: number }> }) => r.ports.map((p) => p.port))).toEqual([[53, 53], [9092], [6379], [5432]]);
    expect(policy.egress[1].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } } }]);
    expect(policy.egress[2].to).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
    expect(podSpec(one(objects, 'Job')).serviceAccountName).toBe('herald-migrations');
    const c = mainContainer(deployment);
    expect(envValue(c, 'KAFKA_TOPIC_PREFIX')).toBe('prod');
    expect(envValue(c, 'BODY_LIMIT_BYTES')).toBe('2097152');
    expect(env(c).get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-database', key: 'url' });
    expect(env(c).get('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-redis', key: 'url' });
    expect(env(c).get('API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-api-keys', key: 'keys' });
    // The webhook-worker's key and queue prefix (its production-like values name the same).
    expect(env(c).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-webhooks', key: 'secrets-key' });
    expect(envValue(c, 'QUEUE_PREFIX')).toBe('herald-prod');
    expect(podSpec(deployment).terminationGracePeriodSeconds).toBe(15 + 20 + 5);
  });

  test('kafka-bridge: KEDA on Kafka lag of both groups and on NotificationQueue depth, prefixed as the app names them', () => {
    const objects = renderOk('kafka-bridge', { valuesFiles: ['ci/production-values.yaml'] });
    expect(one(objects, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    const so = one(objects, 'ScaledObject');
    expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 6 });
    const triggers = so.spec.triggers as Array<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }>;
    expect(triggers.map((t) => [t.type, t.metadata['listName'] ?? `${t.metadata['consumerGroup']}@${t.metadata['topic']}`])).toEqual([
      ['redis', 'herald-prod:NotificationQueue:wait'],
      ['kafka', 'prod.herald-bridge@prod.north-updates'],
      ['kafka', 'prod.herald-tracking@prod.south-updates'],
    ]);
    expect(triggers[0]?.metadata).toMatchObject({ address: 'redis-master.redis.svc:6379', enableTLS: 'true', listLength: '500' });
    expect(triggers[1]?.metadata['bootstrapServers']).toBe('kafka-0.kafka-headless.kafka.svc:9092,kafka-1.kafka-headless.kafka.svc:9092');
    expect(triggers[1]?.metadata['lagThreshold']).toBe('5000');
    expect(triggers[1]?.authenticationRef).toEqual({ name: 'kafka-scaler-auth' });
    // KEDA wants every trigger metadata value as a string.
    for (const t of triggers) for (const v of Object.values(t.metadata)) expect(typeof v).toBe('string');
    const auth = one(objects, 'TriggerAuthentication');
    expect(triggers[0]?.authenticationRef).toEqual({ name: auth.metadata.name });
    expect(auth.spec).toEqual({ secretTargetRef: [{ parameter: 'password', name: 'herald-prod-redis', key: 'password' }] });
    expect(ofKind(objects, 'Job')).toEqual([]);
  });

  test.each([
    ['email-worker', 'herald-prod:EmailQueue:wait', 'SMTP_URL', { name: 'herald-prod-smtp', key: 'url' }],
    ['sms-worker', 'herald-prod:SmsQueue:wait', 'SMS_PROVIDER_API_KEY', { name: 'herald-prod-sms', key: 'api-key' }],
    ['webhook-worker', 'herald-prod:WebhookQueue:wait', 'WEBHOOK_SECRETS_KEY', { name: 'herald-prod-webhooks', key: 'secrets-key' }],
  ] as const)('%s: KEDA on the BullMQ waiting list %s; %s from its Secret', (chart, list, secretVar, ref) => {
    const objects = renderOk(chart, { valuesFiles: ['ci/production-values.yaml'] });
    const deployment = one(objects, 'Deployment');
    expect(deployment.spec).not.toHaveProperty('replicas');
    const triggers = one(objects, 'ScaledObject').spec.triggers as Array<{ type: string; metadata: Record<string, string> }>;
    expect(triggers.map((t) => [t.type, t.metadata['listName']])).toEqual([['redis', list]]);
    const c = mainContainer(deployment);
    expect(env(c).get(secretVar)?.valueFrom?.secretKeyRef).toEqual(ref);
    expect(envValue(c, 'QUEUE_PREFIX')).toBe('herald-prod');
  });

  test('email-worker: big numbers from config are written out whole', () => {
    const c = mainContainer(one(renderOk('email-worker', { valuesFiles: ['ci/production-values.yaml'] }), 'Deployment'));
    expect(envValue(c, 'DELIVERY_MAX_AGE_MS')).toBe('172800000');
    expect(envValue(c, 'EMAIL_FROM')).toBe('Example <notifications@example.com>');
  });
});

describe('values that change what is rendered', () => {
  test('HPA on: no replicas; KEDA on: a ScaledObject instead, still no replicas', () => {
    const hpa = renderOk('email-worker', { values: [{ autoscaling: { enabled: true } }] });
    expect(one(hpa, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(one(hpa, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe(one(hpa, 'Deployment').metadata.name);
    const keda = renderOk('email-worker', { values: [{ keda: { enabled: true } }] });
    expect(one(keda, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(ofKind(keda, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(one(keda, 'ScaledObject').spec.triggers[0].metadata.listName).toBe('herald:EmailQueue:wait');
    const plain = renderOk('email-worker', { values: [{ replicaCount: 3 }] });
    expect(one(plain, 'Deployment').spec.replicas).toBe(3);
  });

  test('kafka-bridge: KEDA on Kafka lag only, north-updates only', () => {
    const objects = renderOk('kafka-bridge', { values: [{ keda: { enabled: true, redis: { enabled: false }, kafka: { southUpdates: false } } }] });
    const triggers = one(objects, 'ScaledObject').spec.triggers;
    expect(triggers).toEqual([
      { type: 'kafka', metadata: expect.objectContaining({ consumerGroup: 'herald-bridge', topic: 'north-updates', bootstrapServers: 'kafka:9092' }) },
    ]);
    expect(ofKind(objects, 'TriggerAuthentication')).toEqual([]);
  });

  test('migrations off: no Job; a terminationGracePeriodSeconds long enough is kept', () => {
    const objects = renderOk('sms-worker', { values: [{ migrations: { enabled: false }, drain: { terminationGracePeriodSeconds: 60 } }] });
    expect(ofKind(objects, 'Job')).toEqual([]);
    expect(podSpec(one(objects, 'Deployment')).terminationGracePeriodSeconds).toBe(60);
  });

  test('preStop 0 leaves the lifecycle hook out; the grace period is still computed from the drain', () => {
    const objects = renderOk('kafka-bridge', { values: [{ drain: { preStopSleepSeconds: 0, shutdownGraceMs: 12_500 } }] });
    const c = mainContainer(one(objects, 'Deployment'));
    expect(c.lifecycle).toBeUndefined();
    expect(envValue(c, 'SHUTDOWN_GRACE_MS')).toBe('12500');
    expect(podSpec(one(objects, 'Deployment')).terminationGracePeriodSeconds).toBe(13 + 5);
  });

  test('an optional SMS gateway key is referenced as optional; OpenShift-style contexts without fixed ids render', () => {
    const objects = renderOk('sms-worker', {
      values: [{ smsProvider: { apiKey: { optional: true } }, podSecurityContext: { runAsUser: null, runAsGroup: null, fsGroup: null } }],
    });
    const deployment = one(objects, 'Deployment');
    expect(env(mainContainer(deployment)).get('SMS_PROVIDER_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-sms', key: 'SMS_PROVIDER_API_KEY', optional: true });
    expect(podSpec(deployment).securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('email-worker: the HTTP providers\' secrets are optional references (only those of EMAIL_PROVIDERS must exist); SMTP_URL can be made optional', () => {
    const defaults = mainContainer(one(renderOk('email-worker'), 'Deployment'));
    for (const name of ['SES_SECRET_ACCESS_KEY', 'SENDGRID_API_KEY', 'MAILGUN_API_KEY', 'POSTMARK_SERVER_TOKEN']) {
      expect(env(defaults).get(name)).toEqual({ name, valueFrom: { secretKeyRef: { name: 'herald-email-providers', key: name, optional: true } } });
    }
    expect(env(defaults).get('SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-smtp', key: 'SMTP_URL' });
    const sendgrid = mainContainer(one(renderOk('email-worker', {
      values: [{
        smtp: { optional: true },
        providerSecrets: { sendgridApiKey: { existingSecret: 'sendgrid', existingSecretKey: 'api-key', optional: false } },
        config: { EMAIL_PROVIDERS: ['sendgrid', 'postmark'], PROVIDER_WEIGHTS: 'sendgrid=80,postmark=20', BREAKER_FAILURES: 3, SENDGRID_API_URL: 'https://api.eu.sendgrid.com' },
      }],
    }), 'Deployment'));
    expect(env(sendgrid).get('SENDGRID_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'sendgrid', key: 'api-key' });
    expect(env(sendgrid).get('POSTMARK_SERVER_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-email-providers', key: 'POSTMARK_SERVER_TOKEN', optional: true });
    expect(env(sendgrid).get('SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-smtp', key: 'SMTP_URL', optional: true });
    // A YAML list reaches the app as the comma-separated list it reads, in order (failover order).
    expect(envValue(sendgrid, 'EMAIL_PROVIDERS')).toBe('sendgrid,postmark');
    expect(envValue(sendgrid, 'PROVIDER_WEIGHTS')).toBe('sendgrid=80,postmark=20');
    expect(envValue(sendgrid, 'BREAKER_FAILURES')).toBe('3');
    expect(env(sendgrid).has('EMAIL_PROVIDER')).toBe(false);
    expect(envValue(sendgrid, 'SENDGRID_API_URL')).toBe('https://api.eu.sendgrid.com');
  });

  test('sms-worker: SMS_PROVIDERS as the comma-separated string the app reads, with its routing and breaker settings', () => {
    const c = mainContainer(one(renderOk('sms-worker', {
      values: [{ config: { SMS_PROVIDERS: 'twilio,vonage,http', PROVIDER_RATE_LIMITS: 'twilio=100,vonage=30', BREAKER_ERROR_RATE_PERCENT: 40, BREAKER_OPEN_MS: 60_000, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_FROM: '+15005550006' } }],
    }), 'Deployment'));
    expect(envValue(c, 'SMS_PROVIDERS')).toBe('twilio,vonage,http');
    expect(envValue(c, 'PROVIDER_RATE_LIMITS')).toBe('twilio=100,vonage=30');
    expect(envValue(c, 'BREAKER_ERROR_RATE_PERCENT')).toBe('40');
    expect(envValue(c, 'BREAKER_OPEN_MS')).toBe('60000');
    for (const name of ['TWILIO_AUTH_TOKEN', 'VONAGE_API_SECRET']) {
      expect(env(c).get(name)?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-sms-providers', key: name, optional: true });
    }
    expect(env(c).has('SMS_PROVIDER')).toBe(false);
  });

  test('ingest-api: API keys come from their Secret by default (auth.test.ts has the rest of fail-closed)', () => {
    const secured = mainContainer(one(renderOk('ingest-api'), 'Deployment'));
    expect(env(secured).get('API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-api-keys', key: 'API_KEYS' });
    expect(envValue(secured, 'AUTH_DISABLED')).toBe('false');
  });

  test('serviceMonitor on a worker scrapes its health/metrics Service', () => {
    const objects = renderOk('email-worker', { values: [{ serviceMonitor: { enabled: true, labels: { release: 'prom' } }, networkPolicy: { metricsFrom: [{ namespaceSelector: {} }] } }] });
    const sm = one(objects, 'ServiceMonitor');
    const service = one(objects, 'Service');
    expect(selects(sm.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(sm.metadata.labels?.['release']).toBe('prom');
    expect(service.spec.ports[0]).toMatchObject({ port: 9102, targetPort: 'http' });
  });

  test('release names: the chart name is not repeated, and overrides apply', () => {
    expect(one(renderOk('ingest-api', { release: 'ingest-api' }), 'Deployment').metadata.name).toBe('ingest-api');
    expect(one(renderOk('ingest-api', { release: 'prod' }), 'Deployment').metadata.name).toBe('prod-ingest-api');
    expect(one(renderOk('ingest-api', { values: [{ fullnameOverride: 'intake' }] }), 'Deployment').metadata.name).toBe('intake');
  });
});

describe('chart files', () => {
  test.each([...ALL_CHARTS, 'herald-common'])('%s has Chart.yaml, values.yaml, values.schema.json and README.md', (chart) => {
    const meta = parse(readFileSync(join(chartsDir, chart, 'Chart.yaml'), 'utf8')) as { apiVersion: string; type: string; version: string; kubeVersion?: string };
    expect(meta.apiVersion).toBe('v2');
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    if (chart === 'herald-common') {
      expect(meta.type).toBe('library');
    } else {
      expect(meta.type).toBe('application');
      expect(meta.kubeVersion).toBe('>=1.30.0-0');
      const schema = JSON.parse(readFileSync(join(chartsDir, chart, 'values.schema.json'), 'utf8')) as { additionalProperties: boolean };
      expect(schema.additionalProperties).toBe(false);
    }
    expect(readFileSync(join(chartsDir, chart, 'README.md'), 'utf8').length).toBeGreaterThan(500);
  });
});
