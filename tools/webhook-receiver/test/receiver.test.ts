/**
 * The local receiver: in process for its own rules (verification with standardwebhooks, dedup by
 * webhook-id, injected failures), and registered with a real Herald (the ingest-api and the
 * webhook-worker as processes) the way npm start registers it: twice for the same URL gives one
 * endpoint with a fresh secret, and the test event arrives verified.
 */
import { Webhook } from 'standardwebhooks';
import { HeraldStack, waitFor } from '@herald/testing';
import { startReceiver, type RunningReceiver } from '../src/receiver';
import { registerAndConfigure } from '../src/register';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

async function post(receiver: RunningReceiver, webhookId: string, body: string, key = secret) {
  const now = new Date();
  const headers = { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(webhookId, now, body) };
  return (await fetch(receiver.url, { method: 'POST', headers, body })).status;
}

describe('the webhook receiver', () => {
  let receiver: RunningReceiver;
  beforeEach(async () => {
    receiver = await startReceiver({ secrets: [secret] });
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('processes a verified call once per webhook-id and refuses a bad signature', async () => {
    const body = JSON.stringify({ type: 'delivery.sent', timestamp: new Date().toISOString(), data: {} });
    expect(await post(receiver, 'msg_1', body)).toBe(200);
    expect(await post(receiver, 'msg_1', body)).toBe(200);
    expect(await post(receiver, 'msg_2', body, `whsec_${Buffer.alloc(32, 9).toString('base64')}`)).toBe(401);
    const report = receiver.report();
    expect(report).toMatchObject({ calls: 2, duplicates: 1, rejected: 1 });
    expect(report.received).toEqual([expect.objectContaining({ webhookId: 'msg_1', type: 'delivery.sent', calls: 2, signatures: 1 })]);
  });

  it('fails on request for a number of calls, then processes again', async () => {
    receiver.control({ fail: { status: 410, count: 1 } });
    const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} });
    expect(await post(receiver, 'msg_3', body)).toBe(410);
    expect(await post(receiver, 'msg_3', body)).toBe(200);
    expect(receiver.report()).toMatchObject({ failedOnPurpose: 1, calls: 1, duplicates: 0 });
  });
});

describe('registerAndConfigure (what npm start calls)', () => {
  let stack: HeraldStack;
  let receiver: RunningReceiver;
  beforeAll(async () => {
    stack = await HeraldStack.start({
      name: 'webhook-receiver',
      apps: ['ingest-api', 'webhook-worker'],
      sinks: false,
      env: { 'ingest-api': { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }, 'webhook-worker': { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ENDPOINT_CACHE_MS: '0' } },
    });
    receiver = await startReceiver();
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  }, 60_000);

  it('registers the receiver once, with a new secret each time, and the test event arrives verified', async () => {
    const first = await registerAndConfigure({ apiUrl: stack.ingestUrl, receiverUrl: receiver.url, apiKey: stack.apiKey });
    const second = await registerAndConfigure({ apiUrl: stack.ingestUrl, receiverUrl: receiver.url, apiKey: stack.apiKey });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, endpointId: first.endpointId });
    expect(second.secret).not.toBe(first.secret);
    const test = await stack.api<{ webhookId: string }>('POST', `/v1/webhooks/${first.endpointId}/test`);
    const got = await waitFor('the test event', () => receiver.report().received.find((e) => e.webhookId === test.body.webhookId), { timeoutMs: 20_000 });
    expect(got.type).toBe('webhook.test');
    expect(receiver.report().rejected).toBe(0);
  }, 60_000);
});
