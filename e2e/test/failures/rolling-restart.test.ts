/**
 * Failure test: a rolling restart under load, as a deployment does it. Each service in turn gets
 * SIGTERM, drains (finishes what it holds, commits, closes) and exits 0 within its grace period,
 * then starts again. Nothing accepted is lost, nothing is sent twice.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HeraldStack, audit, northRequest, recordFigures, runLoad, waitFor } from '@herald/testing';

let stack: HeraldStack;

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'failure-rolling-restart',
    env: {
      'ingest-api': { LOG_LEVEL: 'warn' },
      'kafka-bridge': { LOG_LEVEL: 'warn', KAFKA_SESSION_TIMEOUT_MS: '6000' },
      'email-worker': { LOG_LEVEL: 'warn' },
      'sms-worker': { LOG_LEVEL: 'warn' },
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

it('drains each service on SIGTERM without losing or doubling anything', async () => {
  const exits: Array<{ service: string; code: number | null; seconds: number }> = [];
  let rolling: Promise<void> = Promise.resolve();
  const load = await runLoad({
    url: stack.ingestUrl,
    headers: stack.authHeaders,
    count: 800,
    ratePerSec: 40,
    keyPrefix: `rolling-${Date.now()}`,
    body: () => northRequest(),
    onAccepted: (n) => {
      if (n !== 80) return;
      rolling = (async () => {
        for (const name of ['email-worker', 'kafka-bridge', 'sms-worker', 'ingest-api']) {
          const service = stack.app(name);
          const t0 = Date.now();
          const code = await service.stop(60_000);
          exits.push({ service: name, code, seconds: Math.round((Date.now() - t0) / 100) / 10 });
          await service.start();
          await delay(1_000);
        }
      })();
    },
  });
  await rolling;
  const ids = [...new Set(load.accepted.values())];
  expect(load.gaveUp).toEqual([]);
  expect(ids).toHaveLength(800);
  await waitFor('every accepted delivery to reach a final status', async () => {
    const counts = await stack.statusCounts(ids);
    return (counts['sent'] ?? 0) + (counts['failed'] ?? 0) === ids.length * 2;
  }, { timeoutMs: 180_000, intervalMs: 1_000 });
  const result = await audit(stack, ids, ['email', 'sms']);
  recordFigures('rolling restart with SIGTERM under load', {
    answers: load.statuses,
    exits,
    ...result,
  });
  expect(exits.map((e) => [e.service, e.code])).toEqual([
    ['email-worker', 0],
    ['kafka-bridge', 0],
    ['sms-worker', 0],
    ['ingest-api', 0],
  ]);
  expect(result).toMatchObject({ notFinal: 0, failed: 0, emailsMissing: 0, emailsDuplicated: 0, smsMissing: 0, smsDuplicated: 0 });
}, 600_000);
