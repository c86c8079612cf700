/**
 * Failure test: kill -9 of the webhook-worker under load. Two webhook-workers share south-updates
 * (one consumer group) and the WebhookQueue; a client sends messages on both channels while the
 * webhook-workers are killed with SIGKILL in turn and restarted. The receiver (verifying every
 * call with standardwebhooks, deduplicating by webhook-id) must end up with every queued and sent
 * event of every delivery: none lost, each processed once (repeated calls, which at-least-once
 * delivery allows, are counted and dropped by the receiver as any receiver should).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WebhookCreated } from '@herald/contracts';
import { HeraldStack, WebhookReceiverProcess, northRequest, recordFigures, runLoad, waitFor, type ManagedProcess } from '@herald/testing';

const MESSAGES = 300;
const RATE = 30;
let stack: HeraldStack;
let receiver: WebhookReceiverProcess;

const webhookWorker = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s,2s,3s,3s,5s,5s,5s,10s,10s',
  WEBHOOK_RETRY_JITTER_PERCENT: '20',
  WEBHOOK_TIMEOUT_MS: '3000',
  LOCK_DURATION_MS: '5000',
  STALLED_INTERVAL_MS: '2000',
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  SHUTDOWN_GRACE_MS: '10000',
  WORKER_CONCURRENCY: '20',
  LOG_LEVEL: 'warn',
};

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'failure-webhook-kill-nine',
    apps: ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'webhook-worker'],
    replicas: { 'webhook-worker': 2 },
    env: { 'ingest-api': { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', LOG_LEVEL: 'warn' }, 'webhook-worker': webhookWorker },
  });
  receiver = await WebhookReceiverProcess.start(stack.name);
}, 180_000);

afterAll(async () => {
  await receiver?.process.stop();
  await stack?.stop();
}, 120_000);

async function crashAndRestart(process: ManagedProcess): Promise<void> {
  await process.kill();
  await delay(500 + Math.random() * 1_500);
  await process.start();
}

it('loses no webhook and processes none twice while webhook-workers are killed with SIGKILL', async () => {
  const created = await stack.api<WebhookCreated>('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['delivery.queued', 'delivery.sent'] });
  expect(created.status).toBe(201);
  await receiver.control({ secrets: [created.body.secret] });

  const kills: string[] = [];
  let loadDone = false;
  const restarts: Promise<void>[] = [];
  const chaos = (async () => {
    const targets = ['webhook-worker', 'webhook-worker-2'];
    for (let i = 0; !loadDone || kills.length < 4; i += 1) {
      await delay(1_500 + Math.random() * 1_500);
      const victim = stack.app(targets[i % targets.length] as string);
      if (!victim.running) continue;
      restarts.push(crashAndRestart(victim));
      kills.push(`${targets[i % targets.length]}@${new Date().toISOString()}`);
    }
    await Promise.all(restarts);
  })();

  const load = await runLoad({ url: stack.ingestUrl, headers: stack.authHeaders, count: MESSAGES, ratePerSec: RATE, keyPrefix: `whkill-${Date.now()}`, body: () => northRequest() });
  loadDone = true;
  await chaos;
  const loadEnded = Date.now();
  expect(load.refused).toEqual([]);
  expect(load.gaveUp).toEqual([]);
  const ids = [...new Set(load.accepted.values())];
  expect(ids).toHaveLength(MESSAGES);

  await waitFor('every delivery sent', async () => (await stack.statusCounts(ids))['sent'] === ids.length * 2, { timeoutMs: 180_000, intervalMs: 1_000 });
  const expected = new Set((await stack.sql<{ id: string }>("SELECT id FROM delivery_events WHERE message_id = ANY($1::uuid[]) AND type IN ('queued', 'sent')", [ids])).map((r) => r.id));
  expect(expected.size).toBe(ids.length * 4);
  const report = await waitFor('every queued and sent event at the receiver', async () => {
    const now = await receiver.report();
    const got = new Set(now.received.map((e) => String(e.payload.data['eventId'])));
    return [...expected].every((id) => got.has(id)) ? now : undefined;
  }, { timeoutMs: 180_000, intervalMs: 1_000 });
  const secondsToAll = Math.round((Date.now() - loadEnded) / 100) / 10;

  const received = report.received.filter((e) => expected.has(String(e.payload.data['eventId'])));
  // accepted, lost, duplicated and secondsToFinalAfterLoad are the README failure table's columns
  // (counted in webhooks); duplicated counts calls that repeated a webhook-id the receiver had
  // already processed (at least once: it dropped them).
  const figures = {
    accepted: expected.size,
    duplicated: report.duplicates,
    secondsToFinalAfterLoad: secondsToAll,
    messagesSent: MESSAGES,
    deliveries: ids.length * 2,
    webhooksExpected: expected.size,
    webhooksReceived: received.length,
    lost: expected.size - received.length,
    eventsWithRepeatedCalls: received.filter((e) => e.calls > 1).length,
    repeatedCallsDropped: report.duplicates,
    rejectedSignatures: report.rejected,
    kills: kills.length,
    killed: kills,
  };
  recordFigures('kill -9 of the webhook-worker under load (counted in webhooks; duplicated: repeated calls, same webhook-id, dropped by the receiver)', figures);
  expect(new Set(kills.map((k) => k.split('@')[0])).size).toBe(2);
  expect(figures).toMatchObject({ lost: 0, rejectedSignatures: 0 });
  // Every webhook-id maps to one event: the receiver processed each event once.
  expect(new Set(received.map((e) => e.webhookId)).size).toBe(received.length);
  expect(report.received.length).toBe(expected.size);
}, 600_000);
