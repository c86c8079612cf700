/**
 * Failure test: the infrastructure restarts under load. First Redis (without persistence, so every
 * queued job and Idempotency-Key record is lost with it), then the Kafka broker. The services
 * reconnect by themselves; jobs lost with Redis are routed again from PostgreSQL by the bridge's
 * reconciler; while Kafka is down the ingest-api answers 503 and the client retries with the same
 * key. Every accepted message must reach a final status, each delivered once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HeraldStack, audit, northRequest, recordFigures, runLoad, waitFor } from '@herald/testing';

let stack: HeraldStack;
const quick = { LOG_LEVEL: 'warn' };

beforeAll(async () => {
  stack = await HeraldStack.start({
    name: 'failure-infrastructure-restart',
    ownRedis: true,
    ownKafka: true,
    env: {
      'ingest-api': { ...quick, KAFKA_SEND_TIMEOUT_MS: '3000' },
      'kafka-bridge': { ...quick, RECONCILE_AFTER_MS: '8000', RECONCILE_INTERVAL_MS: '2000', KAFKA_SESSION_TIMEOUT_MS: '6000' },
      'email-worker': { ...quick, RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000', DELIVERY_MAX_ATTEMPTS: '50', SEND_TIMEOUT_MS: '3000', SEND_LEASE_MS: '6000', LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000' },
      'sms-worker': { ...quick, RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000', DELIVERY_MAX_ATTEMPTS: '50', SEND_TIMEOUT_MS: '3000', SEND_LEASE_MS: '6000', LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000' },
    },
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
}, 180_000);

it('loses nothing when Redis and then the Kafka broker restart during a run', async () => {
  const redis = stack.ownRedis;
  const kafka = stack.ownKafka;
  if (!redis || !kafka) throw new Error('this test needs a Redis and a Kafka of its own');
  const events: Record<string, number> = {};
  let restarts: Promise<void> = Promise.resolve();
  const t0 = Date.now();
  const mark = (name: string) => (events[name] = Math.round((Date.now() - t0) / 100) / 10);

  const load = await runLoad({
    url: stack.ingestUrl,
    headers: stack.authHeaders,
    count: 900,
    ratePerSec: 45,
    keyPrefix: `infra-${Date.now()}`,
    body: () => northRequest(),
    onAccepted: (n) => {
      if (n !== 150) return;
      restarts = (async () => {
        mark('redisKilled');
        await redis.process.kill();
        await delay(2_000);
        await redis.process.start();
        mark('redisBack');
        await delay(5_000);
        mark('kafkaStopping');
        await kafka.stop();
        mark('kafkaDown');
        await delay(4_000);
        await kafka.start();
        mark('kafkaBack');
      })();
    },
  });
  await restarts;
  mark('loadDone');
  expect(load.refused).toEqual([]);
  expect(load.gaveUp).toEqual([]);
  const ids = [...new Set(load.accepted.values())];
  expect(ids).toHaveLength(900);

  await waitFor('every accepted delivery to reach a final status', async () => {
    const counts = await stack.statusCounts(ids);
    return (counts['sent'] ?? 0) + (counts['failed'] ?? 0) === ids.length * 2;
  }, { timeoutMs: 240_000, intervalMs: 1_000 });
  mark('allFinal');

  const result = await audit(stack, ids, ['email', 'sms']);
  const metrics = await (await fetch((stack.app('kafka-bridge').spec.readyUrl ?? '').replace('/readyz', '/metrics'))).text();
  const rerouted = Number(/^herald_reconciled_deliveries\S* (\d+)/m.exec(metrics)?.[1] ?? 0);
  recordFigures('Redis restart (data lost) then Kafka broker restart during a run', {
    requests: load.requests,
    answers: load.statuses,
    timeline_s: events,
    deliveriesReroutedByReconciler: rerouted,
    ...result,
    secondsToFinalAfterKafkaBack: Math.round(((events['allFinal'] ?? 0) - (events['kafkaBack'] ?? 0)) * 10) / 10,
  });
  expect(result).toMatchObject({ notFinal: 0, failed: 0, emailsMissing: 0, emailsDuplicated: 0, smsMissing: 0, smsDuplicated: 0 });
  // Every service stayed up through both restarts: they reconnected by themselves.
  for (const [name, process] of stack.apps) expect([name, process.running]).toEqual([name, true]);
}, 600_000);
