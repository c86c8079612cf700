/**
 * The webhook-worker in the whole pipeline, as real processes: the ingest-api, the kafka-bridge,
 * the channel workers, the webhook-worker and the local receiver (tools/webhook-receiver, which
 * verifies every call with the standardwebhooks package). Private targets are allowed here (the
 * receiver is on 127.0.0.1); the address checks have their own test. Retries run on a schedule
 * of seconds instead of days.
 */
import type { WebhookAttemptPage, WebhookCreated, WebhookEndpointView, WebhookReplayAnswer, WebhookSecretRotated, WebhookTestAnswer } from '@herald/contracts';
import { HeraldStack, WebhookReceiverProcess, northRequest, waitFor, type ReceivedWebhook } from '@herald/testing';

let stack: HeraldStack;
const receivers: WebhookReceiverProcess[] = [];

const SCHEDULE = '200ms,500ms,1s,1s,2s,2s,3s,3s,4s,5s';

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'webhooks',
    apps: ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'webhook-worker'],
    env: {
      'ingest-api': { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
      'webhook-worker': {
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_RETRY_SCHEDULE: SCHEDULE,
        WEBHOOK_RETRY_JITTER_PERCENT: '0',
        WEBHOOK_TIMEOUT_MS: '3000',
        WEBHOOK_ENDPOINT_CACHE_MS: '0',
        WEBHOOK_ENDPOINT_CONCURRENCY: '2',
        WORKER_CONCURRENCY: '20',
        LOCK_DURATION_MS: '10000',
        STALLED_INTERVAL_MS: '2000',
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(receivers.map((r) => r.process.stop()));
  await stack?.stop();
}, 120_000);

async function receiver(name: string): Promise<WebhookReceiverProcess> {
  const r = await WebhookReceiverProcess.start(stack.name, name);
  receivers.push(r);
  return r;
}

async function register(r: WebhookReceiverProcess, body: Record<string, unknown> = {}): Promise<WebhookCreated> {
  const created = await stack.api<WebhookCreated>('POST', '/v1/webhooks', { url: r.url, ...body });
  expect(created.status).toBe(201);
  await r.control({ secrets: [created.body.secret] });
  return created.body;
}

const deliveryEvents = (received: ReceivedWebhook[], messageIds: string[]) => received.filter((e) => messageIds.includes(String(e.payload.data['messageId'])));

it('sends every delivery event of a message, signed so that the standardwebhooks library verifies it, with the metadata and a growing sequence', async () => {
  const r = await receiver('receiver-signed');
  const endpoint = await register(r);
  expect(endpoint.secret).toMatch(/^whsec_/);
  const read = await stack.api<WebhookEndpointView>('GET', `/v1/webhooks/${endpoint.id}`);
  expect(read.status).toBe(200);
  expect(JSON.stringify(read.body)).not.toContain(endpoint.secret.slice(6));

  const accepted = await stack.post(northRequest({ channels: ['email', 'sms'], metadata: { orderId: 'A-17' } }));
  expect(accepted.status).toBe(202);
  const id = accepted.body.id;
  await stack.waitForMessage(id);
  // "sending" is the ledger's (no event of its own): each delivery's events are queued and sent.
  const events = await waitFor('the queued and sent events of both deliveries', async () => {
    const got = deliveryEvents((await r.report()).received, [id]);
    return got.length >= 4 ? got : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });

  const report = await r.report();
  expect(report.rejected).toBe(0);
  expect(events.map((e) => `${String(e.payload.data['channel'])}:${e.type}`).sort()).toEqual(
    ['email:delivery.queued', 'email:delivery.sent', 'sms:delivery.queued', 'sms:delivery.sent'].sort(),
  );
  for (const e of events) {
    expect(e.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(e.payload.data).toMatchObject({ schemaVersion: 1, messageId: id, metadata: { orderId: 'A-17' } });
  }
  for (const channel of ['email', 'sms']) {
    const byTime = events.filter((e) => e.payload.data['channel'] === channel).sort((a, b) => Number(a.payload.data['sequence']) - Number(b.payload.data['sequence']));
    expect(byTime.map((e) => e.type)).toEqual(['delivery.queued', 'delivery.sent']);
    expect(byTime[1]?.payload.data['providerMessageId']).toEqual(expect.any(String));
  }

  const attempts = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?status=succeeded&limit=3`);
  expect(attempts.status).toBe(200);
  expect(attempts.body.items).toHaveLength(3);
  expect(attempts.body.items.every((a) => a.status === 'succeeded' && a.responseStatus === 200 && a.attempt === 1)).toBe(true);
  const next = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?status=succeeded&limit=3&after=${attempts.body.next ?? ''}`);
  expect(next.body.items).toHaveLength(1);
  expect(new Set([...attempts.body.items, ...next.body.items].map((a) => a.id)).size).toBe(4);
}, 60_000);

it('sends a test event through the queue, and signs with both secrets for a while after a rotation', async () => {
  const r = await receiver('receiver-rotation');
  const endpoint = await register(r, { eventTypes: ['delivery.failed'] });
  const test = await stack.api<WebhookTestAnswer>('POST', `/v1/webhooks/${endpoint.id}/test`);
  expect(test.status).toBe(202);
  await waitFor('the test event', async () => (await r.report()).received.find((e) => e.webhookId === test.body.webhookId && e.type === 'webhook.test'), { timeoutMs: 15_000 });

  const rotated = await stack.api<WebhookSecretRotated>('POST', `/v1/webhooks/${endpoint.id}/rotate-secret`);
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).not.toBe(endpoint.secret);
  expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
  // A receiver that knows only the new secret, and one that knows only the old: both verify.
  for (const secrets of [[rotated.body.secret], [endpoint.secret]]) {
    await r.control({ secrets });
    const again = await stack.api<WebhookTestAnswer>('POST', `/v1/webhooks/${endpoint.id}/test`);
    const got = await waitFor('the test event after the rotation', async () => (await r.report()).received.find((e) => e.webhookId === again.body.webhookId), { timeoutMs: 15_000 });
    expect(got.signatures).toBe(2);
  }
  expect((await r.report()).rejected).toBe(0);
}, 60_000);

it('delivers every event to a receiver that was failing, then down, once it is back: each webhook-id processed once', async () => {
  const r = await receiver('receiver-outage');
  const endpoint = await register(r, { eventTypes: ['delivery.sent'] });
  await r.control({ fail: { status: 503 } });
  const ids: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const accepted = await stack.post(northRequest({ channels: ['sms'] }));
    expect(accepted.status).toBe(202);
    ids.push(accepted.body.id);
  }
  await waitFor('the failed first calls', async () => {
    const page = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?status=retrying&limit=500`);
    return new Set(page.body.items.map((a) => a.webhookId)).size >= ids.length;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  // Then down altogether (connections refused) for a few seconds, then back.
  const failedOnPurpose = (await r.report()).failedOnPurpose;
  await r.process.stop();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  // Back with its secret from the first request (its configuration): nothing it gets is refused.
  await r.process.start();

  const report = await waitFor('every sent event at the receiver', async () => {
    const now = await r.report();
    return deliveryEvents(now.received, ids).length >= ids.length ? now : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  const got = deliveryEvents(report.received, ids);
  expect(new Set(got.map((e) => e.payload.data['messageId'])).size).toBe(ids.length);
  expect(got.every((e) => e.calls === 1)).toBe(true);
  expect(report.rejected).toBe(0);
  expect(failedOnPurpose).toBeGreaterThanOrEqual(ids.length);
  const retried = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?limit=500`);
  expect(retried.body.items.some((a) => a.error?.startsWith('ECONNREFUSED'))).toBe(true);
  const view = await stack.api<WebhookEndpointView>('GET', `/v1/webhooks/${endpoint.id}`);
  expect(view.body).toMatchObject({ enabled: true, failingSince: null });
}, 120_000);

it('disables an endpoint that answers 410 Gone, skips what follows, and replays both once enabled again', async () => {
  const r = await receiver('receiver-gone');
  const endpoint = await register(r, { eventTypes: ['delivery.queued'] });
  await r.control({ fail: { status: 410, count: 1 } });
  const first = await stack.post(northRequest({ channels: ['email'] }));
  const disabled = await waitFor('the endpoint disabled', async () => {
    const view = await stack.api<WebhookEndpointView>('GET', `/v1/webhooks/${endpoint.id}`);
    return view.body.enabled ? undefined : view.body;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  expect(disabled.disabledReason).toMatch(/410 Gone/);

  const second = await stack.post(northRequest({ channels: ['email'] }));
  await waitFor('the next event skipped', async () => {
    const page = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?status=skipped`);
    return page.body.items.some((a) => a.messageId === second.body.id);
  }, { timeoutMs: 20_000, intervalMs: 200 });
  expect((await stack.api('POST', `/v1/webhooks/${endpoint.id}/test`)).status).toBe(409);
  expect(deliveryEvents((await r.report()).received, [first.body.id, second.body.id])).toEqual([]);

  const enabled = await stack.api<WebhookEndpointView>('PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: true });
  expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  const dry = await stack.api<WebhookReplayAnswer>('POST', `/v1/webhooks/${endpoint.id}/replay`, { dryRun: true });
  expect(dry).toMatchObject({ status: 200, body: { dryRun: true, matched: 2, replayed: 0 } });
  const replay = await stack.api<WebhookReplayAnswer>('POST', `/v1/webhooks/${endpoint.id}/replay`, {});
  expect(replay).toMatchObject({ status: 202, body: { matched: 2, replayed: 2 } });
  const got = await waitFor('both events replayed', async () => {
    const events = deliveryEvents((await r.report()).received, [first.body.id, second.body.id]);
    return events.length === 2 ? events : undefined;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  expect(got.map((e) => e.webhookId).sort()).toEqual([...replay.body.webhookIds].sort());
  const again = await stack.api<WebhookReplayAnswer>('POST', `/v1/webhooks/${endpoint.id}/replay`, { dryRun: true });
  expect(again.body.matched).toBe(0);
  const replayed = await stack.api<WebhookAttemptPage>('GET', `/v1/webhooks/${endpoint.id}/attempts?status=succeeded`);
  expect(replayed.body.items.every((a) => a.replayOf !== null)).toBe(true);
}, 90_000);

it('keeps a slow endpoint to its concurrency cap while another endpoint gets its events at once', async () => {
  const slow = await receiver('receiver-slow');
  const fast = await receiver('receiver-fast');
  await register(slow, { eventTypes: ['delivery.sent'] });
  await register(fast, { eventTypes: ['delivery.sent'] });
  await slow.control({ slowMs: 1_000 });
  const ids: string[] = [];
  for (let i = 0; i < 12; i += 1) ids.push((await stack.post(northRequest({ channels: ['sms'] }))).body.id);
  const fastDone = await waitFor('the fast endpoint to have every event', async () => (deliveryEvents((await fast.report()).received, ids).length === ids.length ? Date.now() : undefined), { timeoutMs: 20_000, intervalMs: 100 });
  const slowAtThatTime = deliveryEvents((await slow.report()).received, ids).length;
  await waitFor('the slow endpoint to have every event', async () => deliveryEvents((await slow.report()).received, ids).length === ids.length, { timeoutMs: 30_000, intervalMs: 200 });
  expect(slowAtThatTime).toBeLessThan(ids.length);
  expect((await slow.report()).maxInFlight).toBeLessThanOrEqual(2);
  expect(fastDone).toBeGreaterThan(0);
}, 90_000);
