/**
 * Failure test: the SMTP server goes away.
 * A. Down for a while during a run, then back: nothing is lost, the retries show in each
 *    delivery's history, and every email arrives once after the recovery.
 * B. Down for longer than the maximum age: the deliveries are failed with the reason (EXPIRED),
 *    kept, and a replay (dry run first; replaying twice changes nothing) delivers each once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ReplayAnswer } from '@herald/contracts';
import { HeraldStack, audit, northRequest, recordFigures, runLoad, waitFor } from '@herald/testing';

let stack: HeraldStack;
const emailOnly = () => {
  const r = northRequest({ channels: ['email'], sms: undefined });
  return { ...r, to: { email: r.to.email } };
};

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'failure-smtp-outage',
    apps: ['ingest-api', 'kafka-bridge', 'email-worker'],
    env: {
      'email-worker': {
        RETRY_BASE_MS: '300',
        RETRY_MAX_MS: '2000',
        DELIVERY_MAX_ATTEMPTS: '100',
        DELIVERY_MAX_AGE_MS: '120000',
        SEND_TIMEOUT_MS: '3000',
        SEND_LEASE_MS: '6000',
        SMTP_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'warn',
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

async function replay(body: Record<string, unknown>): Promise<{ status: number; answer: ReplayAnswer }> {
  const response = await fetch(`${stack.ingestUrl}/v1/replays`, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.authHeaders }, body: JSON.stringify(body) });
  return { status: response.status, answer: (await response.json()) as ReplayAnswer };
}

it('retries through an SMTP outage and delivers everything once when the server is back', async () => {
  const maildev = stack.maildev.process;
  let stoppedAt = 0;
  let outage: Promise<void> = Promise.resolve();
  const load = await runLoad({
    url: stack.ingestUrl,
    headers: stack.authHeaders,
    count: 300,
    ratePerSec: 30,
    keyPrefix: `outage-${Date.now()}`,
    body: emailOnly,
    onAccepted: (n) => {
      if (n !== 60) return;
      outage = (async () => {
        await maildev.stop();
        stoppedAt = Date.now();
        await delay(12_000);
        await maildev.start();
      })();
    },
  });
  await outage;
  const restartedAt = Date.now();
  const ids = [...new Set(load.accepted.values())];
  expect(load.gaveUp).toEqual([]);
  expect(ids).toHaveLength(300);

  await waitFor('every email sent after the SMTP server is back', async () => (await stack.statusCounts(ids))['sent'] === ids.length, { timeoutMs: 120_000, intervalMs: 500 });
  const recoveredMs = Date.now() - restartedAt;
  const retried = await stack.sql<{ n: string; deliveries: string; codes: string[] }>(
    `SELECT count(*) AS n, count(DISTINCT delivery_id) AS deliveries, array_agg(DISTINCT split_part(detail, ':', 1)) AS codes
     FROM delivery_events WHERE type = 'attempt_failed' AND message_id = ANY($1::uuid[])`,
    [ids],
  );
  const result = await audit(stack, ids, ['email']);
  recordFigures('SMTP server down for 12 s during a run', {
    ...result,
    failedAttempts: Number(retried[0]?.n ?? 0),
    deliveriesRetried: Number(retried[0]?.deliveries ?? 0),
    errorCodes: retried[0]?.codes,
    outageSeconds: Math.round((restartedAt - stoppedAt) / 100) / 10,
    secondsToAllSentAfterRecovery: Math.round(recoveredMs / 100) / 10,
  });
  expect(result).toMatchObject({ notFinal: 0, failed: 0, emailsMissing: 0, emailsDuplicated: 0 });
  expect(Number(retried[0]?.deliveries ?? 0)).toBeGreaterThan(0);

  // The history of a retried delivery shows each failed attempt, then the send.
  const [one] = await stack.sql<{ message_id: string }>(`SELECT message_id FROM delivery_events WHERE type = 'attempt_failed' AND message_id = ANY($1::uuid[]) LIMIT 1`, [ids]);
  const view = await stack.message(one?.message_id ?? '');
  const types = view?.history.map((h) => h.type) ?? [];
  expect(types[0]).toBe('queued');
  expect(types).toContain('attempt_failed');
  expect(types.at(-1)).toBe('sent');
  expect(view?.deliveries[0]?.attempts).toBeGreaterThan(1);
  expect(view?.history.find((h) => h.type === 'attempt_failed')?.detail).toMatch(/^ECONNREFUSED: .*\(retry at /);
}, 300_000);

it('fails deliveries that outlive their maximum age with the reason, and a replay delivers each once', async () => {
  const worker = stack.app('email-worker');
  worker.spec.env['DELIVERY_MAX_AGE_MS'] = '6000';
  await worker.stop();
  await worker.start();
  await stack.maildev.process.stop();

  const load = await runLoad({ url: stack.ingestUrl,
    headers: stack.authHeaders, count: 20, ratePerSec: 20, keyPrefix: `expire-${Date.now()}`, body: emailOnly });
  const ids = [...new Set(load.accepted.values())];
  expect(ids).toHaveLength(20);
  await waitFor('the deliveries to expire', async () => (await stack.statusCounts(ids))['failed'] === ids.length, { timeoutMs: 60_000, intervalMs: 500 });
  const expired = await stack.message(ids[0] ?? '');
  expect(expired?.deliveries[0]).toMatchObject({ status: 'failed', failedAt: expect.any(String), lastError: expect.stringMatching(/^not sent within 6 s of acceptance/) });
  // The attempts failed (the SMTP server refused them); with the circuit breaker open the last
  // ones waited without calling it, until the maximum age failed them.
  expect(expired?.history.map((h) => h.type)).toEqual(expect.arrayContaining(['queued', 'attempt_failed', 'failed']));
  expect(expired?.history.find((h) => h.type === 'attempt_failed')?.detail).toMatch(/^ECONNREFUSED/);

  await stack.maildev.process.start();
  const dryRun = await replay({ errorCode: 'EXPIRED', messageIds: ids, dryRun: true });
  expect(dryRun).toMatchObject({ status: 200, answer: { dryRun: true, matched: 20, replayed: 0 } });
  expect((await stack.statusCounts(ids))['failed']).toBe(20);

  const first = await replay({ errorCode: 'EXPIRED', messageIds: ids });
  const second = await replay({ errorCode: 'EXPIRED', messageIds: ids });
  expect(first).toMatchObject({ status: 202, answer: { dryRun: false, matched: 20, replayed: 20, replayId: expect.any(String) } });
  const t0 = Date.now();
  await waitFor('the replayed deliveries to be sent', async () => (await stack.statusCounts(ids))['sent'] === ids.length, { timeoutMs: 60_000, intervalMs: 500 });
  // The second replay raced the first: it re-queued what it saw, and the bridge moved each delivery once.
  const result = await audit(stack, ids, ['email']);
  const generations = await stack.sql<{ generation: number; n: string }>('SELECT generation, count(*) AS n FROM deliveries WHERE message_id = ANY($1::uuid[]) GROUP BY generation', [ids]);
  const third = await replay({ errorCode: 'EXPIRED', messageIds: ids });
  recordFigures('SMTP server down for longer than the maximum age, then replay', {
    failedWithReason: 20,
    replayMatched: first.answer.matched,
    secondReplayMatched: second.answer.matched,
    ...result,
    secondsToSentAfterReplay: Math.round((Date.now() - t0) / 100) / 10,
  });
  expect(result).toMatchObject({ sent: 20, emailsMissing: 0, emailsDuplicated: 0 });
  expect(generations).toEqual([{ generation: 1, n: '20' }]);
  expect(third.answer).toMatchObject({ matched: 0, replayed: 0 });
}, 300_000);
