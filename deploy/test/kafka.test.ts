/**
 * Kafka TLS and SASL (herald-common's _kafka.tpl) as each app chart and the umbrella render them:
 * plaintext by default; KAFKA_SSL with a private CA bundle from an existing Secret or ConfigMap,
 * mounted read-only; SASL with the user as a value and the password only ever a secretKeyRef;
 * global.herald.kafka reaching every app. Every such render is still valid for the Kubernetes API
 * and passes helm lint --strict. The values that are refused are in values-rejected.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { parse } from 'yaml';
import { cleanupCharts, lint, render, renderOk, type KubeObject, type RenderOptions } from './support/helm';
import { KAFKA_CA_DIR, KAFKA_CA_FILE, KAFKA_CA_VOLUME, MANAGED_KAFKA, SASL_SCRAM, TLS_CA_CONFIGMAP, TLS_CA_SECRET } from './support/kafka';
import { deploymentOf, env, envValue, mainContainer, ofKind, one, podSpec, validateObjects } from './support/kube';
import { APP_NAMES, EVERY_APP_ON, UMBRELLA_DEFAULT_APPS, chartsDir, deployDir } from './support/repo';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

const KAFKA_VARIABLES = ['KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'];

/** The Kafka variables of a container, as value or valueFrom (the ones not set are left out). */
function kafkaEnv(c: IContainer): Record<string, unknown> {
  const all = env(c);
  return Object.fromEntries(KAFKA_VARIABLES.filter((n) => all.has(n)).map((n) => [n, all.get(n)?.value ?? all.get(n)?.valueFrom]));
}

function caVolume(workload: KubeObject): IVolume | undefined {
  return podSpec(workload).volumes?.find((v) => v.name === KAFKA_CA_VOLUME);
}

/** Every container of every workload: init containers too, and the migration Job's. */
function allContainers(objects: KubeObject[]): IContainer[] {
  return [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')].flatMap((w) => [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers]);
}

/** What a reviewer of any render checks: valid for the API, no unknown field, nothing secret created. */
function expectValid(objects: KubeObject[]): void {
  expect(objects.length).toBeGreaterThan(0);
  const results = validateObjects(objects);
  expect(results).toHaveLength(objects.length);
  expect(results.filter((r) => r.errors.length)).toEqual([]);
  expect(unknownFields(objects)).toEqual([]);
  expect(ofKind(objects, 'Secret')).toEqual([]);
  expect(ofKind(objects, 'ConfigMap')).toEqual([]);
}

/**
 * KAFKA_SASL_PASSWORD is `expected` references to `ref` and nothing else: no container has it with a
 * value, and in the rendered text its name occurs only as those variables' names and the Secret's
 * key (not in an annotation, a ConfigMap, another variable).
 */
function expectPasswordOnlyReferenced(rendered: { stdout: string; objects: KubeObject[] }, ref: { name: string; key: string }, expected: number): void {
  const entries = allContainers(rendered.objects).flatMap((c) => (c.env ?? []).filter((e) => e.name === 'KAFKA_SASL_PASSWORD'));
  expect(entries).toHaveLength(expected);
  for (const e of entries) expect(e).toEqual({ name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: ref } });
  const mentions = rendered.stdout.match(/KAFKA_SASL_PASSWORD/g) ?? [];
  expect(mentions).toHaveLength(ref.key === 'KAFKA_SASL_PASSWORD' ? 2 * expected : expected);
  for (const c of allContainers(rendered.objects)) expect(c.envFrom).toBeUndefined();
}

/** helm template that must succeed and say nothing on stderr; the text and the objects. */
function renderClean(chart: string, options: RenderOptions): { stdout: string; objects: KubeObject[] } {
  const result = render(chart, options);
  expect(result.stderr).toBe('');
  expect(result.ok).toBe(true);
  return result;
}

describe.each(APP_NAMES)('%s', (app) => {
  test('default values: plaintext, no SASL, no CA volume', () => {
    const objects = renderOk(app);
    const deployment = one(objects, 'Deployment');
    const c = mainContainer(deployment);
    expect(kafkaEnv(c)).toEqual({ KAFKA_BROKERS: 'kafka:9092', KAFKA_TOPIC_PREFIX: '', KAFKA_SSL: 'false', KAFKA_SASL_MECHANISM: 'none' });
    expect(env(c).has('KAFKA_SASL_PASSWORD')).toBe(false);
    expect(caVolume(deployment)).toBeUndefined();
    expect(c.volumeMounts?.map((m) => m.name)).toEqual(['tmp']);
  });

  test('tls.enabled with ca.existingSecret: KAFKA_SSL, KAFKA_SSL_CA_FILE, the Secret\'s key mounted read-only as ca.crt', () => {
    const objects = renderOk(app, { values: [{ kafka: TLS_CA_SECRET }] });
    const deployment = one(objects, 'Deployment');
    const c = mainContainer(deployment);
    expect(envValue(c, 'KAFKA_SSL')).toBe('true');
    expect(envValue(c, 'KAFKA_SSL_CA_FILE')).toBe(KAFKA_CA_FILE);
    expect(KAFKA_CA_FILE).toBe('/etc/herald/kafka-ca/ca.crt');
    expect(envValue(c, 'KAFKA_SASL_MECHANISM')).toBe('none');
    expect(c.volumeMounts).toContainEqual({ name: KAFKA_CA_VOLUME, mountPath: KAFKA_CA_DIR, readOnly: true });
    expect(caVolume(deployment)).toEqual({ name: KAFKA_CA_VOLUME, secret: { secretName: 'kafka-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    // The root filesystem stays read-only; /tmp is still the only writable mount.
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts?.filter((m) => m.readOnly !== true).map((m) => m.mountPath)).toEqual(['/tmp']);
    expectValid(objects);
  });

  test('tls.enabled with ca.existingConfigMap: the same, from a ConfigMap volume', () => {
    const objects = renderOk(app, { values: [{ kafka: TLS_CA_CONFIGMAP }] });
    const deployment = one(objects, 'Deployment');
    const c = mainContainer(deployment);
    expect(envValue(c, 'KAFKA_SSL')).toBe('true');
    expect(envValue(c, 'KAFKA_SSL_CA_FILE')).toBe(KAFKA_CA_FILE);
    expect(c.volumeMounts).toContainEqual({ name: KAFKA_CA_VOLUME, mountPath: KAFKA_CA_DIR, readOnly: true });
    expect(caVolume(deployment)).toEqual({ name: KAFKA_CA_VOLUME, configMap: { name: 'kafka-ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expectValid(objects);
  });

  test('SASL scram-sha-512: the user as a value, the password only as a secretKeyRef', () => {
    const result = renderClean(app, { values: [{ kafka: SASL_SCRAM }] });
    const c = mainContainer(one(result.objects, 'Deployment'));
    expect(kafkaEnv(c)).toEqual({
      KAFKA_BROKERS: 'kafka:9092',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_SSL: 'false',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'herald',
      KAFKA_SASL_PASSWORD: { secretKeyRef: { name: 'herald-kafka', key: 'KAFKA_SASL_PASSWORD' } },
    });
    expectPasswordOnlyReferenced(result, { name: 'herald-kafka', key: 'KAFKA_SASL_PASSWORD' }, 1);
    expectValid(result.objects);
  });

  test('a managed Kafka (TLS with a private CA, SCRAM): helm lint --strict passes', () => {
    const options: RenderOptions = { values: [{ kafka: MANAGED_KAFKA }] };
    const result = lint(app, options);
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
    const c = mainContainer(one(renderOk(app, options), 'Deployment'));
    expect(Object.keys(kafkaEnv(c))).toEqual(KAFKA_VARIABLES);
  });
});

describe('variations', () => {
  test('TLS without a CA: KAFKA_SSL only, the system CAs (Confluent Cloud, MSK), no volume', () => {
    const deployment = one(renderOk('email-worker', { values: [{ kafka: { tls: { enabled: true } } }] }), 'Deployment');
    const c = mainContainer(deployment);
    expect(envValue(c, 'KAFKA_SSL')).toBe('true');
    expect(env(c).has('KAFKA_SSL_CA_FILE')).toBe(false);
    expect(caVolume(deployment)).toBeUndefined();
  });

  test('the CA under another key is still mounted as ca.crt; the password under another key is referenced by it', () => {
    const rendered = renderClean('kafka-bridge', {
      values: [{ kafka: { tls: { enabled: true, ca: { existingSecret: 'msk-ca', key: 'AmazonRootCA1.pem' } }, sasl: { mechanism: 'scram-sha-256', username: 'bridge', password: { existingSecret: 'msk-scram', existingSecretKey: 'password' } } } }],
    });
    const deployment = one(rendered.objects, 'Deployment');
    expect(caVolume(deployment)?.secret?.items).toEqual([{ key: 'AmazonRootCA1.pem', path: 'ca.crt' }]);
    expect(envValue(mainContainer(deployment), 'KAFKA_SSL_CA_FILE')).toBe(KAFKA_CA_FILE);
    expect(envValue(mainContainer(deployment), 'KAFKA_SASL_MECHANISM')).toBe('scram-sha-256');
    expectPasswordOnlyReferenced(rendered, { name: 'msk-scram', key: 'password' }, 1);
  });

  test('the migration Job needs no Kafka: no Kafka variable, no CA volume', () => {
    const objects = renderOk('ingest-api', { values: [{ kafka: MANAGED_KAFKA }] });
    const job = one(objects, 'Job');
    expect((mainContainer(job).env ?? []).map((e) => e.name).filter((n) => n.startsWith('KAFKA_'))).toEqual([]);
    expect(caVolume(job)).toBeUndefined();
  });
});

describe('umbrella: global.herald.kafka', () => {
  const GLOBAL = {
    global: {
      herald: {
        kafka: {
          brokers: ['b-1.msk.example.com:9096', 'b-2.msk.example.com:9096'],
          tls: { enabled: true, ca: { existingConfigMap: 'kafka-ca-bundle' } },
          sasl: { mechanism: 'scram-sha-512', username: 'herald', password: { existingSecret: 'herald-kafka', existingSecretKey: 'password' } },
        },
      },
    },
  };

  test('reaches every app: TLS, the CA bundle, SASL, the password from the Secret', () => {
    const rendered = renderClean('herald', { values: [EVERY_APP_ON, GLOBAL] });
    const objects = rendered.objects;
    for (const app of APP_NAMES) {
      const deployment = deploymentOf(objects, app);
      const c = mainContainer(deployment);
      expect({ app, env: kafkaEnv(c) }).toEqual({
        app,
        env: {
          KAFKA_BROKERS: 'b-1.msk.example.com:9096,b-2.msk.example.com:9096',
          KAFKA_TOPIC_PREFIX: '',
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: KAFKA_CA_FILE,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'herald',
          KAFKA_SASL_PASSWORD: { secretKeyRef: { name: 'herald-kafka', key: 'password' } },
        },
      });
      expect(c.volumeMounts).toContainEqual({ name: KAFKA_CA_VOLUME, mountPath: KAFKA_CA_DIR, readOnly: true });
      expect(caVolume(deployment)).toEqual({ name: KAFKA_CA_VOLUME, configMap: { name: 'kafka-ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    }
    expectPasswordOnlyReferenced(rendered, { name: 'herald-kafka', key: 'password' }, APP_NAMES.length);
    expect(caVolume(one(objects, 'Job'))).toBeUndefined();
    expectValid(objects);
    const linted = lint('herald', { values: [EVERY_APP_ON, GLOBAL] });
    expect(linted.stderr).toBe('');
    expect(linted.ok).toBe(true);
  });

  test('global settings take precedence over an app\'s own; the CA source is taken as a whole', () => {
    const objects = renderOk('herald', {
      values: [
        GLOBAL,
        {
          'email-worker': {
            kafka: {
              tls: { enabled: false, ca: { existingSecret: 'own-ca', key: 'own.pem' } },
              sasl: { mechanism: 'plain', username: 'mailer', password: { existingSecret: 'own-kafka' } },
            },
          },
        },
      ],
    });
    const deployment = deploymentOf(objects, 'email-worker');
    const c = mainContainer(deployment);
    expect(envValue(c, 'KAFKA_SSL')).toBe('true');
    expect(envValue(c, 'KAFKA_SASL_MECHANISM')).toBe('scram-sha-512');
    expect(envValue(c, 'KAFKA_SASL_USERNAME')).toBe('herald');
    expect(env(c).get('KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-kafka', key: 'password' });
    // The global ConfigMap replaces the app's Secret; with no global key, the app's key is used.
    expect(caVolume(deployment)).toEqual({ name: KAFKA_CA_VOLUME, configMap: { name: 'kafka-ca-bundle', items: [{ key: 'own.pem', path: 'ca.crt' }] } });
  });

  test('empty global settings leave each app its own: one app on SASL, the others plaintext', () => {
    const rendered = renderClean('herald', { values: [EVERY_APP_ON, { 'kafka-bridge': { kafka: MANAGED_KAFKA } }] });
    const objects = rendered.objects;
    const bridge = mainContainer(deploymentOf(objects, 'kafka-bridge'));
    expect(envValue(bridge, 'KAFKA_SSL')).toBe('true');
    expect(envValue(bridge, 'KAFKA_SASL_MECHANISM')).toBe('scram-sha-512');
    expect(caVolume(deploymentOf(objects, 'kafka-bridge'))?.secret?.secretName).toBe('kafka-ca');
    for (const app of APP_NAMES.filter((a) => a !== 'kafka-bridge')) {
      const c = mainContainer(deploymentOf(objects, app));
      expect({ app, env: kafkaEnv(c) }).toEqual({ app, env: { KAFKA_BROKERS: 'kafka:9092', KAFKA_TOPIC_PREFIX: '', KAFKA_SSL: 'false', KAFKA_SASL_MECHANISM: 'none' } });
      expect(caVolume(deploymentOf(objects, app))).toBeUndefined();
    }
    expectPasswordOnlyReferenced(rendered, { name: 'herald-kafka', key: 'KAFKA_SASL_PASSWORD' }, 1);
  });

  test('global tls.enabled false turns TLS off for every app, even one that enables it', () => {
    const objects = renderOk('herald', { values: [EVERY_APP_ON, { global: { herald: { kafka: { tls: { enabled: false } } } }, 'sms-worker': { kafka: { tls: { enabled: true } } } }] });
    for (const app of APP_NAMES) expect({ app, ssl: envValue(mainContainer(deploymentOf(objects, app)), 'KAFKA_SSL') }).toEqual({ app, ssl: 'false' });
  });
});

/** The ```yaml blocks of a README, parsed. */
function yamlExamples(readme: string): Array<Record<string, unknown>> {
  const text = readFileSync(readme, 'utf8');
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1] ?? '') as Record<string, unknown>);
}

interface KafkaExample {
  sasl?: { password?: { existingSecret?: string; existingSecretKey?: string } };
}

/** The Kafka block of an example: `kafka` for an app chart, `global.herald.kafka` for the umbrella. */
function kafkaOf(example: Record<string, unknown>, chart: string): KafkaExample | undefined {
  const g = example['global'] as { herald?: { kafka?: KafkaExample } } | undefined;
  return chart === 'herald' ? g?.herald?.kafka : (example['kafka'] as KafkaExample | undefined);
}

describe('the managed-Kafka examples of the READMEs render as they say', () => {
  test.each([
    ['deploy/README.md', join(deployDir, 'README.md'), 'herald', 1],
    ['charts/herald/README.md', join(chartsDir, 'herald', 'README.md'), 'herald', 2],
    ...APP_NAMES.map((app) => [`charts/${app}/README.md`, join(chartsDir, app, 'README.md'), app, 1] as const),
  ] as const)('%s', (_, readme, chart, count) => {
    const examples = yamlExamples(readme).filter((e) => kafkaOf(e, chart)?.sasl);
    expect(examples).toHaveLength(count);
    for (const example of examples) {
      const rendered = renderClean(chart, { values: [example] });
      const deployments = ofKind(rendered.objects, 'Deployment');
      // The umbrella's examples install its default apps (the receipts-api is switched on on its own).
      expect(deployments).toHaveLength(chart === 'herald' ? UMBRELLA_DEFAULT_APPS.length : 1);
      for (const d of deployments) {
        const c = mainContainer(d);
        expect(envValue(c, 'KAFKA_SSL')).toBe('true');
        expect(envValue(c, 'KAFKA_SASL_MECHANISM')).toMatch(/^(plain|scram-sha-512)$/);
        expect(envValue(c, 'KAFKA_SASL_USERNAME')).toMatch(/\S/);
      }
      const password = kafkaOf(example, chart)?.sasl?.password;
      const ref = { name: password?.existingSecret ?? '', key: password?.existingSecretKey ?? 'KAFKA_SASL_PASSWORD' };
      expectPasswordOnlyReferenced(rendered, ref, deployments.length);
      expectValid(rendered.objects);
    }
  });

  test('charts/kafka-bridge/README.md: the KEDA scaler\'s authentication, from the Secret', () => {
    const examples = yamlExamples(join(chartsDir, 'kafka-bridge', 'README.md'));
    const keda = examples.find((e) => 'keda' in e);
    const objects = renderOk('kafka-bridge', { values: [...examples, { keda: { enabled: true, redis: { enabled: false } } }] });
    expect(keda).toBeDefined();
    const auth = one(objects, 'TriggerAuthentication');
    expect(auth.spec.secretTargetRef.map((r: { parameter: string }) => r.parameter)).toEqual(['sasl', 'tls', 'username', 'password']);
    expect(one(objects, 'ScaledObject').spec.triggers.every((t: { authenticationRef?: { name: string } }) => t.authenticationRef?.name === auth.metadata.name)).toBe(true);
    expectValid(objects);
  });
});
