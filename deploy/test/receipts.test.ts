/**
 * The receipts-api chart: the providers' callbacks reach it from the internet (an optional Ingress
 * routing /providers only, ingress from anywhere by default), it talks to Kafka only (no database,
 * no Redis, no migration Job), RECEIPTS_PUBLIC_URL comes from publicUrl or the Ingress host and is
 * required once providers are listed, the providers' secrets are optional Secret references, and
 * the umbrella leaves it out until it is switched on.
 */
import { cleanupCharts, lint, render, renderNotes, renderOk } from './support/helm';
import { deploymentOf, env, envValue, mainContainer, ofKind, one, podSpec, validateObjects } from './support/kube';
import { SECRET_VARIABLES } from './support/repo';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

/** The same receipts-api values, for the app chart itself and under its key in the umbrella (switched on). */
const CHARTS = [
  { chart: 'receipts-api', wrap: (v: object): object => v },
  { chart: 'herald', wrap: (v: object): object => ({ 'receipts-api': { enabled: true, ...v } }) },
] as const;

const INGRESS = { enabled: true, hosts: [{ host: 'receipts.example.com', paths: [{ path: '/providers', pathType: 'Prefix' }] }] };

describe.each(CHARTS)('$chart', ({ chart, wrap }) => {
  test('talks to Kafka only: no database, no Redis, no queue prefix, no migration Job of its own', () => {
    const objects = renderOk(chart, { values: [wrap({})] });
    const c = mainContainer(deploymentOf(objects, 'receipts-api'));
    const names = (c.env ?? []).map((e) => e.name);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'SMTP_URL']) expect(names).not.toContain(name);
    expect(envValue(c, 'KAFKA_BROKERS')).toBe('kafka:9092');
    expect(ofKind(objects, 'Job').filter((j) => j.metadata.name.includes('receipts'))).toEqual([]);
  });

  test('no providers by default: RECEIPT_PROVIDERS and RECEIPTS_PUBLIC_URL empty (the app takes nothing, every callback answers 404)', () => {
    const c = mainContainer(deploymentOf(renderOk(chart, { values: [wrap({})] }), 'receipts-api'));
    expect(envValue(c, 'RECEIPT_PROVIDERS')).toBe('');
    expect(envValue(c, 'RECEIPTS_PUBLIC_URL')).toBe('');
  });

  test('providers listed without publicUrl or an Ingress fail the render, naming both', () => {
    const result = render(chart, { values: [wrap({ receiptProviders: ['twilio', 'ses'] })] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/receipts-api: receiptProviders lists twilio, ses but the chart cannot know the URL they call: set publicUrl .* or switch ingress\.enabled on with its host/);
  });

  test('with the Ingress on, RECEIPTS_PUBLIC_URL is https://<first host>; publicUrl, when set, wins', () => {
    const derived = mainContainer(deploymentOf(renderOk(chart, { values: [wrap({ receiptProviders: ['twilio'], ingress: INGRESS })] }), 'receipts-api'));
    expect(envValue(derived, 'RECEIPTS_PUBLIC_URL')).toBe('https://receipts.example.com');
    expect(envValue(derived, 'RECEIPT_PROVIDERS')).toBe('twilio');
    const given = mainContainer(deploymentOf(renderOk(chart, { values: [wrap({ receiptProviders: ['twilio', 'mailgun'], ingress: INGRESS, publicUrl: 'https://hooks.example.com/herald' })] }), 'receipts-api'));
    expect(envValue(given, 'RECEIPTS_PUBLIC_URL')).toBe('https://hooks.example.com/herald');
    expect(envValue(given, 'RECEIPT_PROVIDERS')).toBe('twilio,mailgun');
  });

  test('the providers\' secrets are optional references to herald-receipt-providers, never values', () => {
    const c = mainContainer(deploymentOf(renderOk(chart, { values: [wrap({})] }), 'receipts-api'));
    for (const name of ['TWILIO_AUTH_TOKEN', 'VONAGE_SIGNATURE_SECRET', 'MAILGUN_WEBHOOK_SIGNING_KEY', 'POSTMARK_WEBHOOK_PASSWORD']) {
      expect(SECRET_VARIABLES).toContain(name);
      expect(env(c).get(name)).toEqual({ name, valueFrom: { secretKeyRef: { name: 'herald-receipt-providers', key: name, optional: true } } });
    }
  });
});

test('an unknown provider and a public URL with a query are refused by the schema', () => {
  const provider = render('receipts-api', { values: [{ receiptProviders: ['sparkpost'], publicUrl: 'https://r.example.com' }] });
  expect(provider.ok).toBe(false);
  expect(provider.stderr).toMatch(/receiptProviders\.0: Does not match pattern/);
  const query = render('receipts-api', { values: [{ publicUrl: 'https://r.example.com/?x=1' }] });
  expect(query.ok).toBe(false);
  expect(query.stderr).toMatch(/publicUrl: Does not match pattern/);
  const twice = render('receipts-api', { values: [{ receiptProviders: ['ses', 'ses'], publicUrl: 'https://r.example.com' }] });
  expect(twice.ok).toBe(false);
  expect(twice.stderr).toMatch(/receiptProviders: array items\[0,1\] must be unique/);
  const managed = render('receipts-api', { values: [{ config: { RECEIPT_PROVIDERS: 'ses' } }] });
  expect(managed.ok).toBe(false);
  expect(managed.stderr).toMatch(/config: Additional property RECEIPT_PROVIDERS is not allowed/);
});

test('the Ingress routes /providers only, to the Service\'s http port; the NetworkPolicy admits anyone on that port', () => {
  const objects = renderOk('receipts-api', { values: [{ ingress: INGRESS }] });
  const ingress = one(objects, 'Ingress');
  expect(ingress.spec.rules).toEqual([
    { host: 'receipts.example.com', http: { paths: [{ path: '/providers', pathType: 'Prefix', backend: { service: { name: 'herald-receipts-api', port: { name: 'http' } } } }] } },
  ]);
  expect(one(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
  expect(one(objects, 'NetworkPolicy').spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
  expect(validateObjects(objects).filter((r) => r.errors.length)).toEqual([]);
  expect(unknownFields(objects)).toEqual([]);
});

test('production-like values: every provider behind the Ingress, HPA on CPU, the secrets from their Secrets, one of them required', () => {
  const objects = renderOk('receipts-api', { valuesFiles: ['ci/production-values.yaml'] });
  const deployment = one(objects, 'Deployment');
  expect(deployment.spec).not.toHaveProperty('replicas');
  expect(one(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 12, metrics: [{ type: 'Resource', resource: { name: 'cpu' } }] });
  const c = mainContainer(deployment);
  expect(c.image).toBe('registry.example.com/herald/receipts-api:0.1.0');
  expect(envValue(c, 'RECEIPTS_PUBLIC_URL')).toBe('https://receipts.example.com');
  expect(envValue(c, 'RECEIPT_PROVIDERS')).toBe('ses,sendgrid,mailgun,postmark,twilio,vonage');
  expect(envValue(c, 'KAFKA_TOPIC_PREFIX')).toBe('prod');
  expect(envValue(c, 'SES_SNS_TOPIC_ARNS')).toBe('arn:aws:sns:eu-west-1:123456789012:herald-ses-events');
  expect(env(c).get('TWILIO_AUTH_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-sms-providers', key: 'TWILIO_AUTH_TOKEN', optional: true });
  expect(env(c).get('POSTMARK_WEBHOOK_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-prod-receipts', key: 'postmark-webhook-password' });
  expect(podSpec(deployment).terminationGracePeriodSeconds).toBe(10 + 15 + 5);
  expect(one(objects, 'Ingress').spec.tls).toEqual([{ secretName: 'receipts-example-com-tls', hosts: ['receipts.example.com'] }]);
  expect(one(objects, 'ServiceMonitor').spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  expect(ofKind(objects, 'Job')).toEqual([]);
});

test('NOTES.txt lists the callback URL of each provider to register, or says that none is listed', () => {
  const listed = renderNotes('receipts-api', { values: [{ receiptProviders: ['ses', 'twilio'], publicUrl: 'https://receipts.example.com/' }] });
  expect(listed.stderr).toBe('');
  expect(listed.notes).toContain('Register these callback URLs with the providers:\n  ses: https://receipts.example.com/providers/ses/events\n  twilio: https://receipts.example.com/providers/twilio/events\n');
  const none = renderNotes('receipts-api');
  expect(none.notes).toMatch(/No receiptProviders: every callback answers 404\./);
  const umbrella = renderNotes('herald', { values: [{ 'receipts-api': { enabled: true, receiptProviders: ['mailgun'], ingress: INGRESS } }] });
  expect(umbrella.stderr).toBe('');
  expect(umbrella.notes).toMatch(/^ {2}- receipts-api$/m);
  expect(umbrella.notes).toContain('Register these callback URLs with the providers (receipts-api):\n  mailgun: https://receipts.example.com/providers/mailgun/events');
  const off = renderNotes('herald');
  expect(off.notes).not.toMatch(/receipts-api/);
});

test('the umbrella installs it only when switched on, and then lints clean', () => {
  expect(ofKind(renderOk('herald'), 'Deployment').map((d) => d.metadata.name)).not.toContain('herald-receipts-api');
  const values = [{ 'receipts-api': { enabled: true, receiptProviders: ['sendgrid'], publicUrl: 'https://receipts.example.com', config: { SENDGRID_WEBHOOK_PUBLIC_KEY: 'MFkw' } } }];
  const objects = renderOk('herald', { values });
  expect(envValue(mainContainer(deploymentOf(objects, 'receipts-api')), 'SENDGRID_WEBHOOK_PUBLIC_KEY')).toBe('MFkw');
  const linted = lint('herald', { values });
  expect(linted.stderr).toBe('');
  expect(linted.ok).toBe(true);
});
