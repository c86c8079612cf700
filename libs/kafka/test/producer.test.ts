/**
 * BatchingProducer against the real broker: records that come within the linger share one produce
 * request; with no linger the first goes at once; flush() and close() do not wait out a linger;
 * and every record is in the topic once.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@herald/runtime';
import { BatchingProducer, createKafka, deleteTopics, ensureTopics, type Kafka } from '../src';

const logger = createLogger({ service: 'producer-test', level: 'silent' });
const topic = `producer-test-${randomUUID()}`;
let kafka: Kafka;

/** Records in the topic: the sum over its partitions of high minus low watermarks. */
async function recordsIn(name: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  kafka = createKafka({ brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), clientId: 'producer-test' }, logger);
  await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
});

afterAll(async () => {
  await deleteTopics(kafka, [topic]);
});

test('records sent within the linger go in one request; without a linger the first goes at once', async () => {
  const lingering = new BatchingProducer(kafka, { logger, lingerMs: 200 });
  const eager = new BatchingProducer(kafka, { logger, lingerMs: 0 });
  await Promise.all([lingering.connect(), eager.connect()]);
  try {
    const sends = [];
    for (const record of records(5)) {
      sends.push(lingering.send(topic, [record]), eager.send(topic, [record]));
      await sleep(10);
    }
    await Promise.all(sends);
    expect(lingering.requests).toBe(1);
    // The first record of the eager producer went alone, the others while it was in flight or after.
    expect(eager.requests).toBeGreaterThanOrEqual(2);
    expect(await recordsIn(topic)).toBe(10);
  } finally {
    await Promise.all([lingering.close(), eager.close()]);
  }
});

test('flush() and close() send a lingering record at once', async () => {
  const producer = new BatchingProducer(kafka, { logger, lingerMs: 60_000 });
  await producer.connect();
  const before = await recordsIn(topic);
  const started = Date.now();
  const first = producer.send(topic, records(1));
  await producer.flush();
  await first;
  const second = producer.send(topic, records(2));
  await producer.close();
  await second;
  // Well under the 60 s linger: neither waited for it.
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(producer.requests).toBe(2);
  expect(await recordsIn(topic)).toBe(before + 3);
});

test('a batch that fills while it lingers goes at once', async () => {
  const producer = new BatchingProducer(kafka, { logger, lingerMs: 60_000, maxBatchRecords: 3 });
  await producer.connect();
  try {
    const started = Date.now();
    await Promise.all(records(3).map((record) => producer.send(topic, [record])));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(producer.requests).toBe(1);
  } finally {
    await producer.close();
  }
});
