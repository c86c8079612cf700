/**
 * Webhooks in the charts: WEBHOOK_SECRETS_KEY, which the ingest-api seals the endpoints' signing
 * secrets with and the webhook-worker opens them with, only ever comes from a Secret, and the
 * webhook-worker's chart (alone and in the umbrella) refuses to render without one (fail closed);
 * in one release both apps get the same key and the same WEBHOOK_ALLOW_PRIVATE_TARGETS. The
 * webhook-worker calls URLs any API client chooses, so its NetworkPolicy lets it reach the public
 * internet only (checked with Node's net.BlockList, not the templates' own arithmetic), unless
 * private targets are allowed on purpose.
 */
import { cleanupCharts, lint, render, renderNotes, renderOk, type KubeObject } from './support/helm';
import { cidrHolds, deploymentOf, env, envValue, mainContainer, ofKind, one, validateObjects, type EgressRule } from './support/kube';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

const DEFAULT_REF = { name: 'herald-webhooks', key: 'WEBHOOK_SECRETS_KEY' };

/** The same webhook-worker values, for its chart and under its key in the umbrella. */
const WORKER = [
  { chart: 'webhook-worker', wrap: (v: object): object => v },
  { chart: 'herald', wrap: (v: object): object => ({ 'webhook-worker': v, 'ingest-api': v }) },
] as const;

function expectValid(objects: KubeObject[]): void {
  expect(validateObjects(objects).filter((r) => r.errors.length)).toEqual([]);
  expect(unknownFields(objects)).toEqual([]);
  expect(ofKind(objects, 'Secret')).toEqual([]);
}

describe.each(WORKER)('$chart: the webhook-worker fails closed without its secrets key', ({ chart, wrap }) => {
  test('by default WEBHOOK_SECRETS_KEY is a required secretKeyRef to herald-webhooks, and private targets are refused', () => {
    const c = mainContainer(deploymentOf(renderOk(chart), 'webhook-worker'));
    expect(env(c).get('WEBHOOK_SECRETS_KEY')).toEqual({ name: 'WEBHOOK_SECRETS_KEY', valueFrom: { secretKeyRef: DEFAULT_REF } });
    expect(envValue(c, 'WEBHOOK_ALLOW_PRIVATE_TARGETS')).toBe('false');
    expect(envValue(c, 'HEALTH_PORT')).toBe('9104');
  });

  test('an empty webhooks.secretsKey.existingSecret fails the render, naming the value and how to make the Secret', () => {
    const result = render(chart, { values: [wrap({ webhooks: { secretsKey: { existingSecret: '' } } })] });
    expect(result.ok).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/webhook-worker: webhooks\.secretsKey\.existingSecret is empty, and the webhook-worker does not run without WEBHOOK_SECRETS_KEY.*openssl rand -base64 32.*name it in webhooks\.secretsKey\.existingSecret \(or global\.herald\.webhooks\.secretsKey\.existingSecret\)/);
  });

  test('a Secret named without its key fails too', () => {
    const result = render(chart, { values: [wrap({ webhooks: { secretsKey: { existingSecret: 'hooks', existingSecretKey: '' } } })] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/webhooks\.secretsKey\.existingSecretKey/);
  });

  test('a Secret of its own is referenced, never inlined, and the render is valid and lint-clean', () => {
    const values = [wrap({ webhooks: { secretsKey: { existingSecret: 'hooks', existingSecretKey: 'key' } } })];
    const objects = renderOk(chart, { values });
    const c = mainContainer(deploymentOf(objects, 'webhook-worker'));
    expect(env(c).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'hooks', key: 'key' });
    expectValid(objects);
    const linted = lint(chart, { values });
    expect(linted.stderr).toBe('');
    expect(linted.ok).toBe(true);
  });
});

describe('the ingest-api', () => {
  test('seals with the same key by default: a required secretKeyRef to herald-webhooks; QUEUE_PREFIX reaches the WebhookQueue', () => {
    const c = mainContainer(one(renderOk('ingest-api'), 'Deployment'));
    expect(env(c).get('WEBHOOK_SECRETS_KEY')).toEqual({ name: 'WEBHOOK_SECRETS_KEY', valueFrom: { secretKeyRef: DEFAULT_REF } });
    expect(envValue(c, 'WEBHOOK_ALLOW_PRIVATE_TARGETS')).toBe('false');
    expect(envValue(c, 'QUEUE_PREFIX')).toBe('herald');
    expect(renderNotes('ingest-api').notes).toMatch(/WEBHOOK_SECRETS_KEY comes from herald-webhooks/);
  });

  test('without a Secret named it renders without the key (the app answers 503 on /v1/webhooks), and NOTES.txt says so', () => {
    const values = [{ webhooks: { secretsKey: { existingSecret: '' } } }];
    const objects = renderOk('ingest-api', { values });
    expect(env(mainContainer(one(objects, 'Deployment'))).has('WEBHOOK_SECRETS_KEY')).toBe(false);
    expectValid(objects);
    expect(renderNotes('ingest-api', { values }).notes).toMatch(/No WEBHOOK_SECRETS_KEY \(webhooks\.secretsKey\.existingSecret is empty\): \/v1\/webhooks answers 503/);
  });
});

describe('the umbrella: one key and one set of target rules for both apps', () => {
  test('the webhook-worker is installed by default, next to the ingest-api, with the same Secret', () => {
    const objects = renderOk('herald');
    for (const app of ['ingest-api', 'webhook-worker'] as const) {
      expect(env(mainContainer(deploymentOf(objects, app))).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual(DEFAULT_REF);
    }
    expect(deploymentOf(objects, 'webhook-worker').metadata.name).toBe('herald-webhook-worker');
    expect(renderNotes('herald').notes).toMatch(/^ {2}- webhook-worker$/m);
  });

  test('global.herald.webhooks sets the Secret and the target rules of both, over their own', () => {
    const objects = renderOk('herald', {
      values: [{ global: { herald: { webhooks: { secretsKey: { existingSecret: 'shared', existingSecretKey: 'k' }, allowPrivateTargets: true } } }, 'webhook-worker': { webhooks: { secretsKey: { existingSecret: 'ignored' } } } }],
    });
    for (const app of ['ingest-api', 'webhook-worker'] as const) {
      const c = mainContainer(deploymentOf(objects, app));
      expect(env(c).get('WEBHOOK_SECRETS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'shared', key: 'k' });
      expect(envValue(c, 'WEBHOOK_ALLOW_PRIVATE_TARGETS')).toBe('true');
    }
  });

  test('different Secrets for the two apps fail the render: what one seals, the other could not open', () => {
    const result = render('herald', { values: [{ 'webhook-worker': { webhooks: { secretsKey: { existingSecret: 'other-webhooks' } } } }] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/herald: the ingest-api takes WEBHOOK_SECRETS_KEY from herald-webhooks\/WEBHOOK_SECRETS_KEY \(Secret\/key\) but the webhook-worker from other-webhooks\/WEBHOOK_SECRETS_KEY: .* global\.herald\.webhooks\.secretsKey/);
    const keys = render('herald', { values: [{ 'ingest-api': { webhooks: { secretsKey: { existingSecretKey: 'old-key' } } } }] });
    expect(keys.ok).toBe(false);
    expect(keys.stderr).toMatch(/ingest-api takes WEBHOOK_SECRETS_KEY from herald-webhooks\/old-key/);
  });

  test('different allowPrivateTargets fail the render; the same, or set once globally, render', () => {
    const apart = render('herald', { values: [{ 'webhook-worker': { webhooks: { allowPrivateTargets: true } } }] });
    expect(apart.ok).toBe(false);
    expect(apart.stderr).toMatch(/herald: ingest-api\.webhooks\.allowPrivateTargets is false but webhook-worker\.webhooks\.allowPrivateTargets is true/);
    expect(render('herald', { values: [{ 'webhook-worker': { webhooks: { allowPrivateTargets: true } }, 'ingest-api': { webhooks: { allowPrivateTargets: true } } }] }).ok).toBe(true);
    expect(render('herald', { values: [{ global: { herald: { webhooks: { allowPrivateTargets: false } } }, 'webhook-worker': { webhooks: { allowPrivateTargets: true } } }] }).ok).toBe(true);
  });

  test('without the webhook-worker the ingest-api alone decides (and may have no key); without the ingest-api the worker still needs its own', () => {
    const alone = renderOk('herald', { values: [{ 'webhook-worker': { enabled: false }, 'ingest-api': { webhooks: { secretsKey: { existingSecret: '' } } } }] });
    expect(ofKind(alone, 'Deployment').map((d) => d.metadata.name)).not.toContain('herald-webhook-worker');
    expect(env(mainContainer(deploymentOf(alone, 'ingest-api'))).has('WEBHOOK_SECRETS_KEY')).toBe(false);
    const noApi = render('herald', { values: [{ 'ingest-api': { enabled: false }, 'webhook-worker': { webhooks: { secretsKey: { existingSecret: '' } } } }] });
    expect(noApi.ok).toBe(false);
    expect(noApi.stderr).toMatch(/webhook-worker: webhooks\.secretsKey\.existingSecret is empty/);
  });
});

type Rule = EgressRule;

/** Whether a rule's ipBlocks let traffic to `address` through (selector peers aside). */
function reaches(rule: Rule, address: string): boolean {
  return (rule.to ?? []).some((p) => p.ipBlock !== undefined && cidrHolds(p.ipBlock.cidr, address) && !(p.ipBlock.except ?? []).some((e) => cidrHolds(e, address)));
}

/** The webhook-worker's rule to the customers' endpoints (after DNS, Kafka, Redis, PostgreSQL). */
function webhooksRule(objects: KubeObject[]): Rule {
  const policy = one(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'webhook-worker'), 'NetworkPolicy');
  const rules = policy.spec.egress as Rule[];
  expect(rules).toHaveLength(5);
  return rules[4] as Rule;
}

const PUBLIC = ['1.1.1.1', '8.8.8.8', '52.95.110.1', '151.101.1.69', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'];
/** Cluster networks, loopback, link-local, CGNAT, the metadata services (AWS, GCP, Azure; AWS IPv6; Alibaba), unique-local, mapped and NAT64 forms. */
const PRIVATE = [
  '10.0.0.1', '10.96.0.1', '172.16.0.10', '172.31.255.254', '192.168.1.1', '127.0.0.1', '0.0.0.0', '169.254.169.254', '169.254.170.2',
  '100.64.0.1', '100.100.100.200', '224.0.0.1', '255.255.255.255',
  '::1', '::', 'fd00:ec2::254', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:10.0.0.1', '64:ff9b::a00:1',
];

describe('the webhook-worker\'s egress to the customers\' endpoints', () => {
  test('by default: 443 and 80 to the public internet only, no pod of the cluster, no private or metadata address', () => {
    const rule = webhooksRule(renderOk('webhook-worker'));
    expect(rule.ports).toEqual([{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }]);
    expect(rule.to?.some((p) => p.namespaceSelector !== undefined || p.podSelector !== undefined)).toBe(false);
    for (const address of PUBLIC) expect({ address, reached: reaches(rule, address) }).toEqual({ address, reached: true });
    for (const address of PRIVATE) expect({ address, reached: reaches(rule, address) }).toEqual({ address, reached: false });
  });

  test('the same in the umbrella and with the production-like values (https only, and one partner port)', () => {
    const umbrella = webhooksRule(renderOk('herald', { valuesFiles: ['ci/production-values.yaml'] }));
    expect(umbrella.ports).toEqual([{ port: 443, protocol: 'TCP' }]);
    const prod = webhooksRule(renderOk('webhook-worker', { valuesFiles: ['ci/production-values.yaml'] }));
    expect(prod.ports).toEqual([{ port: 443, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }]);
    for (const rule of [umbrella, prod]) {
      for (const address of PUBLIC) expect(reaches(rule, address)).toBe(true);
      for (const address of PRIVATE) expect(reaches(rule, address)).toBe(false);
      expect(rule.to?.some((p) => p.namespaceSelector !== undefined)).toBe(false);
    }
  });

  test('with private targets allowed, any address but the metadata ones, pods included; NOTES.txt says so', () => {
    const values = [{ webhooks: { allowPrivateTargets: true } }];
    const objects = renderOk('webhook-worker', { values });
    const rule = webhooksRule(objects);
    expect(rule.to).toContainEqual({ namespaceSelector: {} });
    for (const address of ['10.0.0.1', '192.168.1.1', '127.0.0.1', ...PUBLIC]) expect(reaches(rule, address)).toBe(true);
    for (const address of ['169.254.169.254', 'fd00:ec2::254']) expect(reaches(rule, address)).toBe(false);
    expect(envValue(mainContainer(one(objects, 'Deployment')), 'WEBHOOK_ALLOW_PRIVATE_TARGETS')).toBe('true');
    expectValid(objects);
    expect(renderNotes('webhook-worker', { values }).notes).toMatch(/webhooks\.allowPrivateTargets is true: endpoints on private, loopback and link-local addresses/);
    expect(renderNotes('webhook-worker').notes).not.toMatch(/allowPrivateTargets/);
  });

  test('peers given in the values are used as given (the metadata addresses still kept out)', () => {
    const rule = webhooksRule(renderOk('webhook-worker', { values: [{ networkPolicy: { egress: { webhooks: { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] } } } }] }));
    expect(rule.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }]);
  });

  test('the other apps have no webhooks rule, and theirs cannot be added', () => {
    const result = render('email-worker', { values: [{ networkPolicy: { egress: { webhooks: { ports: [443] } } } }] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/networkPolicy\.egress: Additional property webhooks is not allowed/);
  });
});

test('the webhook-worker scales on the WebhookQueue waiting list, named with the queue prefix', () => {
  const objects = renderOk('webhook-worker', { values: [{ keda: { enabled: true }, queues: { prefix: 'herald-staging' } }] });
  expect(one(objects, 'ScaledObject').spec.triggers).toEqual([expect.objectContaining({ type: 'redis', metadata: expect.objectContaining({ listName: 'herald-staging:WebhookQueue:wait' }) })]);
  expect(one(objects, 'Deployment').spec).not.toHaveProperty('replicas');
});
