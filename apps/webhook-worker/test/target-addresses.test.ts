/**
 * The address rules with private targets NOT allowed (production settings), as real processes.
 * Names resolve through a DNS server of the test's own (WEBHOOK_DNS_SERVERS), so that a name can
 * resolve to a public address when it is registered and to 127.0.0.1 afterwards (DNS rebinding):
 * the webhook-worker must refuse it when it connects, not only the API when it registers.
 */
import type { Problem, WebhookAttemptPage, WebhookCreated } from '@herald/contracts';
import { HeraldStack, TestDnsServer, WebhookReceiverProcess, northRequest, waitFor } from '@herald/testing';

let stack: HeraldStack;
let dns: TestDnsServer;
let receiver: WebhookReceiverProcess;

beforeAll(async () => {
  dns = await TestDnsServer.start();
  const resolver = { WEBHOOK_DNS_SERVERS: dns.address };
  stack = await HeraldStack.start({
    name: 'webhook-addresses',
    apps: ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'webhook-worker'],
    env: {
      'ingest-api': resolver,
      'webhook-worker': { ...resolver, WEBHOOK_RETRY_SCHEDULE: '200ms,200ms', WEBHOOK_RETRY_JITTER_PERCENT: '0', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_ENDPOINT_CACHE_MS: '0' },
    },
  });
  receiver = await WebhookReceiverProcess.start(stack.name);
}, 180_000);

afterAll(async () => {
  await receiver?.process.stop();
  await stack?.stop();
  await dns?.stop();
}, 120_000);

it.each([
  ['http, not https', 'http://hooks.example.com/x', /must be an https URL/],
  ['credentials in the URL', 'https://user:secret@hooks.example.com/x', /user name or password/],
  ['a loopback literal', 'https://127.0.0.1:8443/x', /loopback/],
  ['an IPv6 loopback literal', 'https://[::1]/x', /loopback/],
  ['a private literal', 'https://10.1.2.3/x', /private/],
  ['the metadata service', 'https://169.254.169.254/latest/meta-data', /cloud metadata/],
  ['a CGNAT literal', 'https://100.64.0.7/x', /carrier-grade NAT/],
  ['localhost', 'https://localhost/x', /local name/],
  ['a name that resolves to 127.0.0.1', 'https://loopback.example.com/x', /loopback\.example\.com resolves to 127\.0\.0\.1/],
  ['a name with a public and a private address', 'https://mixed.example.com/x', /resolves to 10\.0\.0\.5/],
  ['a name that does not resolve', 'https://nowhere.example.com/x', /does not resolve/],
])('refuses to register %s', async (_, url, reason) => {
  dns.set('loopback.example.com', { a: ['127.0.0.1'] });
  dns.set('mixed.example.com', { a: ['93.184.215.14', '10.0.0.5'] });
  const refused = await stack.api<Problem>('POST', '/v1/webhooks', { url });
  expect(refused.status).toBe(422);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(refused.body.code).toBe('HERALD_ERR_WEBHOOK_TARGET_REFUSED');
  expect(refused.body.errors?.[0]).toMatchObject({ field: '/url', message: expect.stringMatching(reason) });
});

it('refuses at connect time a name that resolved to a public address at registration and to 127.0.0.1 since', async () => {
  dns.set('rebind.example.com', { a: ['93.184.215.14'] });
  const created = await stack.api<WebhookCreated>('POST', '/v1/webhooks', { url: `https://rebind.example.com:${receiver.port}/hooks`, eventTypes: ['delivery.queued'] });
  expect(created.status).toBe(201);
  dns.set('rebind.example.com', { a: ['127.0.0.1'] });

  await stack.post(northRequest({ channels: ['sms'] }));
  const attempts = await waitFor('the calls to have failed for good', async () => {
    const page = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${created.body.id}/attempts`);
    return page.body.items.some((a) => a.status === 'failed') ? page.body.items : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  expect(attempts).toHaveLength(3);
  for (const attempt of attempts) {
    expect(attempt.error).toMatch(/^WEBHOOK_TARGET_REFUSED: rebind\.example\.com resolves to 127\.0\.0\.1 is a loopback address/);
    expect(attempt.responseStatus).toBeNull();
  }
  // Nothing reached the receiver behind 127.0.0.1.
  const report = await receiver.report();
  expect(report.calls + report.rejected + report.failedOnPurpose).toBe(0);
}, 60_000);
