/**
 * Kubernetes egress (issue 8, item 11): each app's NetworkPolicy allows, by default, only what the
 * app talks to (DNS, Kafka, Redis, PostgreSQL, the providers for the workers, the customers'
 * endpoints on the public internet only for the webhook-worker; DNS, Kafka and AWS SNS over HTTPS
 * for the receipts-api), on the ports its
 * values give plus the ones its configured addresses name; and the cloud metadata addresses
 * (169.254.169.254, fd00:ec2::254) are reachable through no rule, whatever the values open. The
 * metadata check is independent of the templates: Node's net.BlockList decides what a CIDR holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanupCharts, lint, renderNotes, renderOk, type KubeObject } from './support/helm';
import { cidrHolds, ofKind, validateObjects, type EgressRule } from './support/kube';
import { ALL_CHARTS, APP_FACTS, APP_NAMES, EVERY_APP_ON, chartsDir, deployDir, type AppName } from './support/repo';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

type Rule = EgressRule;

const METADATA = [
  { address: '169.254.169.254' },
  { address: 'fd00:ec2::254' },
] as const;

/**
 * Every way a metadata address is reachable through the egress rules: a rule without peers (any
 * address), or an ipBlock that holds it with no except entry holding it. Selector peers select
 * pods, and no pod has a metadata address.
 */
function metadataLeaks(policy: KubeObject): string[] {
  const leaks: string[] = [];
  const rules = (policy.spec.egress ?? []) as Rule[];
  if (!(policy.spec.policyTypes as string[]).includes('Egress')) leaks.push(`${policy.metadata.name}: egress not restricted at all`);
  rules.forEach((rule, i) => {
    if (!rule.to || rule.to.length === 0) leaks.push(`${policy.metadata.name}: egress[${i}] has no peers (any address)`);
    for (const peer of rule.to ?? []) {
      if (!peer.ipBlock) continue;
      for (const m of METADATA) {
        if (!cidrHolds(peer.ipBlock.cidr, m.address)) continue;
        if (!(peer.ipBlock.except ?? []).some((e) => cidrHolds(e, m.address))) leaks.push(`${policy.metadata.name}: egress[${i}] ipBlock ${peer.ipBlock.cidr} holds ${m.address}`);
      }
    }
  });
  return leaks;
}

/** Each rule's ports as "port/protocol". */
function portsOf(policy: KubeObject): string[][] {
  return ((policy.spec.egress ?? []) as Rule[]).map((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`));
}

function policyOf(objects: KubeObject[], app: AppName): KubeObject {
  const found = ofKind(objects, 'NetworkPolicy').filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === app);
  if (found.length !== 1) throw new Error(`expected one NetworkPolicy of ${app}, found ${found.length}`);
  return found[0] as KubeObject;
}

/** The objects are valid for the API and have no unknown field; no policy leaks a metadata address. */
function expectSound(objects: KubeObject[]): void {
  expect(validateObjects(objects).filter((r) => r.errors.length)).toEqual([]);
  expect(unknownFields(objects)).toEqual([]);
  for (const p of ofKind(objects, 'NetworkPolicy')) expect(metadataLeaks(p)).toEqual([]);
}

const DNS = ['53/UDP', '53/TCP'];
const KAFKA = ['9092/TCP', '9093/TCP'];
const REDIS = ['6379/TCP'];
const POSTGRES = ['5432/TCP'];
/** What each app needs, rule by rule, with its chart's default values. */
const EXPECTED: Record<AppName, string[][]> = {
  'ingest-api': [DNS, KAFKA, REDIS, POSTGRES],
  'kafka-bridge': [DNS, KAFKA, REDIS, POSTGRES],
  // SMTP (25, 465, 587) and HTTPS provider APIs.
  'email-worker': [DNS, KAFKA, REDIS, POSTGRES, ['25/TCP', '443/TCP', '465/TCP', '587/TCP']],
  // HTTPS, and the port of the default smsProvider.url (http://sms-gateway:9025).
  'sms-worker': [DNS, KAFKA, REDIS, POSTGRES, ['443/TCP', '9025/TCP']],
  // Kafka only, and HTTPS to AWS SNS (the SES receipt source's signing certificates and subscription confirmations).
  'receipts-api': [DNS, KAFKA, ['443/TCP']],
  // The customers' webhook endpoints: https, and http (for the targets allowPrivateTargets permits).
  'webhook-worker': [DNS, KAFKA, REDIS, POSTGRES, ['80/TCP', '443/TCP']],
};

/**
 * The rules whose default peers are the public internet rather than any address (webhooks.test.ts
 * checks what those hold): the webhook-worker's calls to URLs any API client chooses.
 */
const PUBLIC_RULES: Partial<Record<AppName, number[]>> = { 'webhook-worker': [4] };

/** Any address but the metadata ones: every pod, and both address families with them excepted. */
const ANYWHERE = [
  { namespaceSelector: {} },
  { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } },
  { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } },
];

test('the metadata check finds an ipBlock that holds a metadata address and a rule without peers', () => {
  const policy: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p' },
    spec: {
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] },
        { ports: [{ port: 443 }] },
        { to: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:ec2::/120'] } }, { ipBlock: { cidr: '169.254.169.0/24', except: ['169.254.169.254/32'] } }, { namespaceSelector: {} }] },
      ],
    },
  };
  expect(metadataLeaks(policy)).toEqual([
    'p: egress[0] ipBlock 0.0.0.0/0 holds 169.254.169.254',
    'p: egress[1] has no peers (any address)',
    'p: egress[2] ipBlock fd00::/8 holds fd00:ec2::254',
  ]);
  expect(metadataLeaks({ ...policy, spec: { policyTypes: ['Ingress'] } })).toEqual(['p: egress not restricted at all']);
});

describe.each(APP_NAMES)('%s with default values', (app) => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOk(app);
  });

  test('the NetworkPolicy restricts egress to exactly the ports the app needs', () => {
    const policy = policyOf(objects, app);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(portsOf(policy)).toEqual(EXPECTED[app]);
  });

  test('each destination is any address but the cloud metadata ones (the webhook endpoints: the public internet), which no rule reaches', () => {
    const policy = policyOf(objects, app);
    (policy.spec.egress as Rule[]).forEach((rule, i) => {
      if (PUBLIC_RULES[app]?.includes(i)) {
        expect(rule.to?.some((p) => p.namespaceSelector || p.podSelector)).toBe(false);
        expect(rule.to?.map((p) => p.ipBlock?.cidr)).toEqual(['0.0.0.0/0', '::/0']);
      } else {
        expect(rule.to).toEqual(ANYWHERE);
      }
    });
    expectSound(objects);
  });
});

test('the umbrella gives each app the same egress as its own chart', () => {
  const objects = renderOk('herald', { values: [EVERY_APP_ON] });
  for (const app of APP_NAMES) expect(portsOf(policyOf(objects, app))).toEqual(EXPECTED[app]);
  expectSound(objects);
});

test.each(ALL_CHARTS)('%s with production-like values: narrowed egress, no metadata address reachable', (chart) => {
  const objects = renderOk(chart, { valuesFiles: ['ci/production-values.yaml'] });
  // The umbrella's production-like values switch the receipts-api on: every app.
  expect(ofKind(objects, 'NetworkPolicy').length).toBe(chart === 'herald' ? APP_NAMES.length : 1);
  expectSound(objects);
});

describe('values that open more still leave the metadata addresses blocked', () => {
  const everything = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
  const cases: Array<[string, string, object]> = [
    ['0.0.0.0/0 and ::/0 as Kafka\'s peers', 'ingest-api', { networkPolicy: { egress: { kafka: { to: everything } } } }],
    ['0.0.0.0/0 and ::/0 as the providers\' peers', 'email-worker', { networkPolicy: { egress: { providers: { to: everything } } } }],
    ['0.0.0.0/0 and ::/0 as DNS servers', 'kafka-bridge', { networkPolicy: { egress: { dns: { to: everything } } } }],
    ['an extra rule to 0.0.0.0/0 and ::/0 on every port', 'sms-worker', { networkPolicy: { egress: { extra: [{ to: everything }] } } }],
    ['an extra rule without peers', 'ingest-api', { networkPolicy: { egress: { extra: [{ ports: [{ port: 8126, protocol: 'UDP' }] }] } } }],
    ['the link-local range and fd00::/8, with an except of their own', 'email-worker', { networkPolicy: { egress: { extra: [{ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.0.0/24'] } }, { ipBlock: { cidr: 'fd00::/8' } }] }] } } }],
    ['restricted: false', 'kafka-bridge', { networkPolicy: { egress: { restricted: false } } }],
    ['0.0.0.0/0 and ::/0 as the SNS hosts\' peers', 'receipts-api', { networkPolicy: { egress: { providers: { to: everything } } } }],
    ['0.0.0.0/0 and ::/0 as the webhook endpoints\' peers', 'webhook-worker', { networkPolicy: { egress: { webhooks: { to: everything } } } }],
    ['private webhook targets allowed', 'webhook-worker', { webhooks: { allowPrivateTargets: true } }],
    ['0.0.0.0/0 for every app through global.herald', 'herald', { global: { herald: { networkPolicy: { egress: { kafka: { to: everything }, redis: { to: everything }, postgres: { to: everything }, dns: { to: everything } } } } } }],
    ['0.0.0.0/0 for an app under its key in the umbrella', 'herald', { 'email-worker': { networkPolicy: { egress: { extra: [{ to: everything, ports: [{ port: 8443 }] }] } } } }],
  ];

  test.each(cases)('%s (%s)', (_what, chart, values) => {
    expectSound(renderOk(chart, { values: [values] }));
  });

  test('0.0.0.0/0 and ::/0 given as peers come out with the metadata addresses in except', () => {
    const policy = policyOf(renderOk('ingest-api', { values: [{ networkPolicy: { egress: { kafka: { to: everything } } } }] }), 'ingest-api');
    expect((policy.spec.egress as Rule[])[1]?.to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } },
      { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } },
    ]);
  });

  test('an except given in the values is kept, and the metadata address added to it', () => {
    const objects = renderOk('email-worker', { values: [{ networkPolicy: { egress: { extra: [{ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.0.0/24'] } }, { ipBlock: { cidr: '169.254.128.0/17', except: ['169.254.169.0/24'] } }, { ipBlock: { cidr: '10.0.0.0/8' } }] }] } } }] });
    const extra = (policyOf(objects, 'email-worker').spec.egress as Rule[])[5];
    expect(extra?.to).toEqual([
      { ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.0.0/24', '169.254.169.254/32'] } },
      // Already covered by an except of its own: left as it is.
      { ipBlock: { cidr: '169.254.128.0/17', except: ['169.254.169.0/24'] } },
      // Does not hold a metadata address: no except added.
      { ipBlock: { cidr: '10.0.0.0/8' } },
    ]);
    expect(extra?.ports).toBeUndefined();
  });

  test('restricted: false is one rule, every port, any address but the metadata ones', () => {
    const policy = policyOf(renderOk('kafka-bridge', { values: [{ networkPolicy: { egress: { restricted: false } } }] }), 'kafka-bridge');
    expect(policy.spec.egress).toEqual([{ to: ANYWHERE }]);
  });

  test('helm lint --strict passes with values that open more', () => {
    const result = lint('sms-worker', { values: [{ networkPolicy: { egress: { extra: [{ to: everything, ports: [{ port: 8443 }] }], providers: { to: everything } } } }] });
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
  });
});

describe('ports from the configured addresses, narrowed from values', () => {
  test('the ports of kafka.brokers are added to Kafka\'s (MSK over SASL/SCRAM on 9096)', () => {
    const policy = policyOf(renderOk('ingest-api', { values: [{ kafka: { brokers: ['b-1.msk.example.com:9096', 'b-2.msk.example.com:9096', '[fd00::10]:9094'] } }] }), 'ingest-api');
    expect(portsOf(policy)[1]).toEqual(['9092/TCP', '9093/TCP', '9094/TCP', '9096/TCP']);
  });

  test('kafka ports empty: only the brokers\' ports; global.herald.kafka.brokers counts in the umbrella', () => {
    const alone = policyOf(renderOk('kafka-bridge', { values: [{ networkPolicy: { egress: { kafka: { ports: [] } } } }] }), 'kafka-bridge');
    expect(portsOf(alone)[1]).toEqual(['9092/TCP']);
    const objects = renderOk('herald', { values: [EVERY_APP_ON, { global: { herald: { kafka: { brokers: ['kafka.example.com:9196'] }, networkPolicy: { egress: { kafka: { ports: [9196] } } } } } }] });
    for (const app of APP_NAMES) expect(portsOf(policyOf(objects, app))[1]).toEqual(['9196/TCP']);
  });

  test.each([
    ['https://gateway.example.com/api', ['443/TCP']],
    ['http://gateway.example.com', ['80/TCP', '443/TCP']],
    ['https://gateway.example.com:8443', ['443/TCP', '8443/TCP']],
  ])('sms-worker: smsProvider.url %s opens %j', (url, ports) => {
    const policy = policyOf(renderOk('sms-worker', { values: [{ smsProvider: { url } }] }), 'sms-worker');
    expect(portsOf(policy)[4]).toEqual(ports);
  });

  test('ports and peers from values replace the defaults, destination by destination', () => {
    const kafka = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } } }];
    const data = [{ ipBlock: { cidr: '10.20.0.0/16' } }];
    const policy = policyOf(
      renderOk('email-worker', { values: [{ networkPolicy: { egress: { kafka: { ports: [9092], to: kafka }, redis: { to: data }, postgres: { ports: [6432], to: data }, providers: { ports: [587] } } } }] }),
      'email-worker',
    );
    expect(portsOf(policy)).toEqual([DNS, KAFKA.slice(0, 1), REDIS, ['6432/TCP'], ['587/TCP']]);
    const rules = policy.spec.egress as Rule[];
    expect(rules.map((r) => r.to)).toEqual([ANYWHERE, kafka, data, data, ANYWHERE]);
  });

  test('global.herald.networkPolicy.egress says once where DNS, Kafka, Redis and PostgreSQL are; the workers keep their providers', () => {
    const dns = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }];
    const kafka = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } } }];
    const data = [{ ipBlock: { cidr: '10.20.0.0/16' } }];
    const objects = renderOk('herald', {
      values: [EVERY_APP_ON, { global: { herald: { networkPolicy: { egress: { dns: { to: dns }, kafka: { to: kafka }, redis: { ports: [6380], to: data }, postgres: { to: data } } } } }, 'sms-worker': { networkPolicy: { egress: { providers: { ports: [8443] } } } } }],
    });
    for (const app of APP_NAMES) {
      const policy = policyOf(objects, app);
      const rules = policy.spec.egress as Rule[];
      if (APP_FACTS[app].database) {
        expect(rules.slice(0, 4).map((r) => r.to)).toEqual([dns, kafka, data, data]);
        expect(portsOf(policy).slice(0, 4)).toEqual([DNS, KAFKA, ['6380/TCP'], POSTGRES]);
      } else {
        // An app without Redis and PostgreSQL gets no rule for them from global.herald.
        expect(rules.map((r) => r.to)).toEqual([dns, kafka, ANYWHERE]);
        expect(portsOf(policy)).toEqual(EXPECTED[app]);
      }
    }
    expect(portsOf(policyOf(objects, 'email-worker'))[4]).toEqual(EXPECTED['email-worker'][4]);
    expect(portsOf(policyOf(objects, 'sms-worker'))[4]).toEqual(['8443/TCP', '9025/TCP']);
    expect((policyOf(objects, 'sms-worker').spec.egress as Rule[])[4]?.to).toEqual(ANYWHERE);
    expectSound(objects);
  });

  test('a block removed from the values is no rule: DNS and Kafka only (the bridge without Redis and PostgreSQL, the receipts-api without ses)', () => {
    const objects = renderOk('kafka-bridge', { values: [{ networkPolicy: { egress: { redis: null, postgres: null } } }] });
    expect(portsOf(policyOf(objects, 'kafka-bridge'))).toEqual([DNS, KAFKA]);
    expectSound(objects);
    const receipts = renderOk('receipts-api', { values: [{ networkPolicy: { egress: { providers: null } } }] });
    expect(portsOf(policyOf(receipts, 'receipts-api'))).toEqual([DNS, KAFKA]);
    expectSound(receipts);
  });

  test('extra rules come after the destinations, as given', () => {
    const rule = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }], ports: [{ port: 4317, protocol: 'TCP' }] };
    const policy = policyOf(renderOk('ingest-api', { values: [{ networkPolicy: { egress: { extra: [rule] } } }] }), 'ingest-api');
    const rules = policy.spec.egress as Rule[];
    expect(rules[rules.length - 1]).toEqual(rule);
    expect(portsOf(policy)).toEqual([...EXPECTED['ingest-api'], ['4317/TCP']]);
  });
});

describe('the egress examples of the READMEs render as they say', () => {
  /** The ```yaml blocks of a README that set a NetworkPolicy (for the chart, or for the apps through global.herald). */
  function egressExamples(readme: string): object[] {
    const text = readFileSync(readme, 'utf8');
    return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1] ?? '') as Record<string, unknown>).filter((e) => JSON.stringify(e).includes('"networkPolicy"'));
  }

  test.each([
    ['deploy/README.md', join(deployDir, 'README.md'), ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'webhook-worker']],
    ['charts/herald/README.md', join(chartsDir, 'herald', 'README.md'), ['herald']],
    ...(['ingest-api', 'email-worker', 'sms-worker', 'receipts-api', 'webhook-worker'] as const).map((app) => [`charts/${app}/README.md`, join(chartsDir, app, 'README.md'), [app]] as const),
  ] as const)('%s', (_, readme, charts) => {
    const examples = egressExamples(readme);
    expect(examples).toHaveLength(1);
    for (const chart of charts) {
      const defaults = ofKind(renderOk(chart), 'NetworkPolicy').map((p) => p.spec);
      const objects = renderOk(chart, { values: examples });
      expectSound(objects);
      // The example narrows something in every policy it renders.
      const policies = ofKind(objects, 'NetworkPolicy');
      expect(policies.length).toBe(defaults.length);
      policies.forEach((p, i) => expect(p.spec).not.toEqual(defaults[i]));
    }
  });
});

test.each(APP_NAMES)('%s: NOTES.txt warns when no NetworkPolicy is rendered, and only then', (app) => {
  const off = renderNotes(app, { values: [{ networkPolicy: { enabled: false } }] });
  expect(off.stderr).toBe('');
  expect(off.notes).toMatch(/WARNING: networkPolicy\.enabled is false: no NetworkPolicy limits what these pods reach, the cloud\nmetadata addresses \(169\.254\.169\.254, fd00:ec2::254\) included\./);
  const on = renderNotes(app);
  expect(on.notes).toMatch(/is installed as herald-/);
  expect(on.notes).not.toMatch(/WARNING/);
});
