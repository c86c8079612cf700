/**
 * Failure test: kill -9 at random moments while messages flow. The ingest-api runs as a cluster
 * (two worker processes), with one kafka-bridge, two email-workers and one sms-worker. A client
 * sends a few thousand messages, each with its own Idempotency-Key, retrying what fails. Meanwhile
 * ingest worker processes, the bridge and the workers are killed with SIGKILL (the services are
 * restarted; the cluster primary replaces its worker itself). Then every accepted message must
 * reach a final status, and the SMTP sink must hold each email exactly once (by Message-ID), the
 * SMS gateway each SMS exactly once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HeraldStack, audit, northRequest, recordFigures, runLoad, waitFor, type ManagedProcess } from '@herald/testing';

const MESSAGES = 2_000;
const RATE = 80;
let stack: HeraldStack;

const fastRecovery = {
  LOCK_DURATION_MS: '5000',
  STALLED_INTERVAL_MS: '2000',
  SEND_TIMEOUT_MS: '3000',
  SEND_LEASE_MS: '6000',
  RETRY_BASE_MS: '200',
  RETRY_MAX_MS: '2000',
  DELIVERY_MAX_ATTEMPTS: '30',
  WORKER_CONCURRENCY: '10',
  LOG_LEVEL: 'warn',
};

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'failure-kill-nine',
    webConcurrency: 2,
    replicas: { 'email-worker': 2 },
    env: {
      'ingest-api': { RESTART_BACKOFF_MS: '100', LOG_LEVEL: 'warn' },
      'kafka-bridge': { RECONCILE_AFTER_MS: '15000', RECONCILE_INTERVAL_MS: '5000', MAIN_QUEUE_CONCURRENCY: '20', KAFKA_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'warn' },
      'email-worker': fastRecovery,
      'sms-worker': fastRecovery,
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

/** Pids of the ingest-api cluster's worker processes, sampled over fresh connections. */
async function ingestWorkerPids(): Promise<number[]> {
  const pids = new Set<number>();
  for (let i = 0; i < 20 && pids.size < 2; i += 1) {
    try {
      const r = await fetch(`${stack.ingestUrl}/healthz`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(1_000) });
      pids.add(((await r.json()) as { pid: number }).pid);
    } catch {
      // a worker is being replaced
    }
  }
  return [...pids];
}

async function crashAndRestart(process: ManagedProcess): Promise<void> {
  await process.kill();
  await delay(500 + Math.random() * 1_500);
  await process.start();
}

const TARGETS = ['ingest-api worker', 'kafka-bridge', 'email-worker', 'email-worker-2', 'sms-worker'];

it('loses nothing and sends nothing twice while processes are killed with SIGKILL', async () => {
  const kills: string[] = [];
  let loadDone = false;
  let chaosStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (chaosStarted = resolve));

  // A kill every 1.5 to 3 s, each target in turn (shuffled per round), until the load is done and
  // every target has been killed at least once; services come back in the background.
  const restarts: Promise<void>[] = [];
  const chaos = (async () => {
    await started;
    let order: string[] = [];
    while (!loadDone || kills.length < TARGETS.length) {
      await delay(1_500 + Math.random() * 1_500);
      if (order.length === 0) order = [...TARGETS].sort(() => Math.random() - 0.5);
      const target = order.shift() as string;
      if (target === 'ingest-api worker') {
        const [pid] = await ingestWorkerPids();
        if (!pid) continue;
        process.kill(pid, 'SIGKILL');
      } else {
        const victim = stack.app(target);
        if (!victim.running) continue;
        restarts.push(crashAndRestart(victim));
      }
      kills.push(`${target}@${new Date().toISOString()}`);
    }
    await Promise.all(restarts);
  })();

  const load = await runLoad({
    url: stack.ingestUrl,
    headers: stack.authHeaders,
    count: MESSAGES,
    ratePerSec: RATE,
    keyPrefix: `kill-${Date.now()}`,
    body: () => northRequest(),
    onAccepted: (n) => n === 100 && chaosStarted(),
  });
  loadDone = true;
  chaosStarted();
  await chaos;
  const loadEnded = Date.now();

  expect(load.refused).toEqual([]);
  expect(load.gaveUp).toEqual([]);
  const ids = [...new Set(load.accepted.values())];
  expect(ids).toHaveLength(MESSAGES);

  await waitFor('every accepted delivery to reach a final status', async () => {
    const counts = await stack.statusCounts(ids);
    return (counts['sent'] ?? 0) + (counts['failed'] ?? 0) === ids.length * 2;
  }, { timeoutMs: 240_000, intervalMs: 1_000 });
  const recoveredMs = Date.now() - loadEnded;

  const result = await audit(stack, ids, ['email', 'sms']);
  recordFigures('kill -9 during a run', {
    messagesSent: MESSAGES,
    requests: load.requests,
    answers: load.statuses,
    kills: kills.length,
    killed: kills,
    ...result,
    secondsToFinalAfterLoad: Math.round(recoveredMs / 100) / 10,
  });
  expect(new Set(kills.map((k) => k.split('@')[0])).size).toBe(TARGETS.length);
  expect(result).toMatchObject({ notFinal: 0, failed: 0, emailsMissing: 0, emailsDuplicated: 0, smsMissing: 0, smsDuplicated: 0 });
}, 600_000);
