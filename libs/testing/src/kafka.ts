/** Reading topics back in tests: how many records a topic holds, and the records themselves. */
import { BatchConsumer, createKafka, deleteTopics, ensureTopics, heraldTopicSpecs, type ConsumedRecord, type Kafka } from '@herald/kafka';
import { waitFor } from '@herald/process';
import { createLogger } from '@herald/runtime';
import { uniqueName } from './names';

const silent = createLogger({ service: 'test-kafka', level: 'silent' });

export function testKafka(brokers: string[]): Kafka {
  return createKafka({ brokers, clientId: uniqueName('test') }, silent);
}

/** Creates Herald's topics (north, south and their dead-letter topics) under a prefix, as a deployment's setup does. */
export async function createHeraldTopics(brokers: string[], prefix: string, partitions: number, maxMessageBytes?: number): Promise<void> {
  await ensureTopics(testKafka(brokers), heraldTopicSpecs(prefix, partitions, maxMessageBytes));
}

/** Deletes Herald's topics under a prefix. */
export async function deleteHeraldTopics(brokers: string[], prefix: string): Promise<void> {
  await deleteTopics(testKafka(brokers), heraldTopicSpecs(prefix).map((t) => t.topic));
}

/** Records in a topic (sum of high watermarks minus low watermarks over its partitions). */
export async function topicRecordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads `count` records from the start of a topic (a throwaway consumer group), within a deadline. */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = new BatchConsumer(kafka, {
    groupId: uniqueName('test-reader'),
    topics: [topic],
    logger: silent,
    fromBeginning: true,
    handler: async (batch) => {
      records.push(...batch);
    },
  });
  await consumer.start();
  try {
    await waitFor(`${count} records on ${topic}`, () => records.length >= count, { timeoutMs, intervalMs: 50 });
    return records;
  } finally {
    await consumer.stop();
  }
}
