/**
 * kafka-bridge as a real process against real Kafka, Redis and PostgreSQL: accepted messages on
 * north-updates become tracked messages and channel jobs (once, however often a record comes);
 * poison records go to the dead-letter topic with their error, and consumption goes on.
 */
import { Headers, Queues, Topics, deliveryIdFor, deliveryJobId, newMessageId, topicName, type MessageAcceptedEvent } from '@herald/contracts';
import { BatchingProducer } from '@herald/kafka';
import { createQueue, createRedis, deliveryJobOptions } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { HeraldStack, northRequest, readTopic, testKafka, waitFor } from '@herald/testing';

const logger = createLogger({ service: 'bridge-test', level: 'silent' });
let stack: HeraldStack;
let producer: BatchingProducer;
let redis: ReturnType<typeof createRedis>;

beforeAll(async () => {
  stack = await HeraldStack.start({ name: 'kafka-bridge', apps: ['kafka-bridge', 'ingest-api'] });
  producer = new BatchingProducer(testKafka(stack.services.kafkaBrokers), { logger });
  await producer.connect();
  redis = createRedis(stack.services.redisUrl, 'worker', logger);
}, 120_000);

afterAll(async () => {
  await producer?.close();
  await redis?.quit();
  await stack?.stop();
}, 60_000);

function accepted(): MessageAcceptedEvent {
  return { v: 1, kind: 'message.accepted', messageId: newMessageId(), acceptedAt: new Date().toISOString(), client: stack.apiClient, request: northRequest() };
}

const north = () => topicName(Topics.North, stack.topicPrefix);
const send = (records: Array<{ key: string; value: string }>) => producer.send(north(), records);

async function jobIds(queue: string): Promise<string[]> {
  const q = createQueue(queue, { connection: redis, prefix: stack.queuePrefix, defaultJobOptions: deliveryJobOptions() });
  try {
    const jobs = await q.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
    return jobs.map((j) => String(j.id));
  } finally {
    await q.close();
  }
}

describe('kafka-bridge', () => {
  it('turns an accepted message into tracked deliveries and one job per channel, reported queued', async () => {
    const event = accepted();
    await send([{ key: event.messageId, value: JSON.stringify(event) }]);
    const email = deliveryIdFor(event.messageId, 'email');
    const sms = deliveryIdFor(event.messageId, 'sms');
    // Recorded queued, then routed: the router's "queued" reports are in history once the channel jobs exist.
    const view = await stack.waitForMessage(event.messageId, (m) => m.history.filter((h) => h.type === 'queued').length === 2, 20_000);
    expect(view.deliveries.map((d) => [d.id, d.status])).toEqual([
      [email, 'queued'],
      [sms, 'queued'],
    ]);
    expect(await jobIds(Queues.Email)).toContain(deliveryJobId(email, 0));
    expect(await jobIds(Queues.Sms)).toContain(deliveryJobId(sms, 0));
  }, 30_000);

  it('handles a record that comes twice as one message with one job per channel', async () => {
    const event = accepted();
    const record = { key: event.messageId, value: JSON.stringify(event) };
    await send([record]);
    await send([record, record]);
    const email = deliveryJobId(deliveryIdFor(event.messageId, 'email'), 0);
    await stack.waitForMessage(event.messageId, (m) => m.history.filter((h) => h.type === 'queued').length === 2, 20_000);
    // A later message, so that the duplicates are behind us in the partition order.
    const marker = accepted();
    await send([{ key: event.messageId, value: JSON.stringify(marker) }]);
    await stack.waitForMessage(marker.messageId, (m) => m.history.filter((h) => h.type === 'queued').length === 2, 20_000);
    expect((await jobIds(Queues.Email)).filter((id) => id === email)).toHaveLength(1);
    const view = await stack.message(event.messageId);
    expect(view?.history.filter((h) => h.type === 'queued')).toHaveLength(2);
  }, 40_000);

  it('dead-letters records it cannot parse or validate, with the error, and goes on consuming', async () => {
    const good = accepted();
    const key = newMessageId();
    await send([
      { key, value: 'this is not JSON' },
      { key, value: JSON.stringify({ ...accepted(), v: 99 }) },
      { key: good.messageId, value: JSON.stringify(good) },
    ]);
    await stack.waitForMessage(good.messageId, (m) => m.deliveries.every((d) => d.status === 'queued'), 20_000);
    const dead = await readTopic(testKafka(stack.services.kafkaBrokers), topicName(Topics.NorthDeadLetter, stack.topicPrefix), 2);
    const errors = dead.map((r) => r.headers[Headers.DeadLetterError]);
    expect(errors).toEqual([expect.stringMatching(/^not JSON/), expect.stringContaining('/v')]);
    expect(dead[0]?.value?.toString()).toBe('this is not JSON');
    expect(dead[0]?.headers[Headers.DeadLetterSourceTopic]).toBe(north());
  }, 30_000);

  it('answers /readyz with its dependencies', async () => {
    const bridge = stack.app('kafka-bridge');
    expect(bridge.running).toBe(true);
    await waitFor('bridge ready', async () => {
      const url = bridge.spec.readyUrl ?? '';
      const report = (await (await fetch(url)).json()) as { status: string; checks: Record<string, { ok: boolean }> };
      return report.status === 'ready' && report.checks['kafka']?.ok && report.checks['redis']?.ok && report.checks['database']?.ok;
    });
  });
});
