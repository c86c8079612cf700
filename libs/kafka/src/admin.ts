/** Topic administration and a readiness probe. */
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { Topics, topicName } from '@herald/contracts';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
  /** The topic's max.message.bytes (the largest record batch it takes). */
  maxMessageBytes?: number;
}

/**
 * max.message.bytes of Herald's topics: the ingest-api's largest body (BODY_LIMIT_BYTES, 1 MiB by
 * default) plus the event envelope and the batch framing. The ingest-api reads the topic's value
 * at start and refuses (413) any message that would not fit.
 */
export const HERALD_TOPIC_MAX_MESSAGE_BYTES = 1_048_576 + 64 * 1024;

/** Herald's topics under a prefix, with the partition counts we run with locally. */
export function heraldTopicSpecs(prefix = '', partitions = 6, maxMessageBytes = HERALD_TOPIC_MAX_MESSAGE_BYTES): TopicSpec[] {
  return [
    { topic: topicName(Topics.North, prefix), numPartitions: partitions, maxMessageBytes },
    { topic: topicName(Topics.South, prefix), numPartitions: partitions, maxMessageBytes },
    { topic: topicName(Topics.NorthDeadLetter, prefix), numPartitions: 1, maxMessageBytes },
    { topic: topicName(Topics.SouthDeadLetter, prefix), numPartitions: 1, maxMessageBytes },
  ];
}

export interface TopicResult {
  topic: string;
  /** false when it existed already. */
  created: boolean;
  /** The partitions it has now (an existing topic keeps its own count). */
  partitions: number;
}

/**
 * Creates the topics that do not exist yet (waiting for their leaders) and gives an existing one
 * the max.message.bytes its spec asks for (a topic made by an older version keeps the broker's
 * default otherwise); partition counts of existing topics are left as they are, and reported.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<TopicResult[]> {
  const admin = kafka.admin();
  await admin.connect();
  const sizeEntries = (t: TopicSpec) => (t.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(t.maxMessageBytes) }] : []);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor ?? 1, configEntries: sizeEntries(t) })),
        });
      } catch (error) {
        // Another process created one of them at the same moment: it exists, which is what was asked.
        if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
      }
    }
    const resized = topics.filter((t) => existing.has(t.topic) && t.maxMessageBytes);
    if (resized.length) {
      await admin.alterConfigs({ validateOnly: false, resources: resized.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic, configEntries: sizeEntries(t) })) });
    }
    const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
    return topics.map((t) => ({ topic: t.topic, created: !existing.has(t.topic), partitions: metadata.topics.find((m) => m.name === t.topic)?.partitions.length ?? 0 }));
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length) await admin.deleteTopics({ topics: present, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * A readiness probe: Kafka answers metadata for these topics. One admin client is kept for the
 * probe so that each call costs a request, not a connection.
 */
export function kafkaReadinessCheck(kafka: Kafka, topics: readonly string[]): { check: () => Promise<void>; close: () => Promise<void> } {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let connected: Promise<void> | undefined;
  return {
    check: async () => {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      await admin.fetchTopicMetadata({ topics: [...topics] });
    },
    close: async () => {
      if (connected) await admin.disconnect();
    },
  };
}

/** A topic's max.message.bytes as the broker reports it (its own setting, or the broker default). */
export async function topicMaxMessageBytes(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin({ retry: { retries: 2 } });
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    });
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes');
    const bytes = Number(entry?.configValue);
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`topic ${topic}: no max.message.bytes in the broker's answer`);
    return bytes;
  } finally {
    await admin.disconnect();
  }
}

/** Total lag of a consumer group over a topic (for backpressure, dashboards and tests). */
export async function consumerGroupLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [latest, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return latest.reduce((sum, p) => {
      const at = done.get(p.partition) ?? -1;
      return sum + Math.max(0, Number(p.high) - Math.max(at, Number(p.low)));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}
