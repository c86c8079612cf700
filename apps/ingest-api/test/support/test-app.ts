/**
 * The ingest-api as one in-process Fastify app, built by buildApp() from a configuration parsed
 * by the same loadConfig() as production, against real Kafka, Redis and PostgreSQL: its own topic
 * prefix, database clone and Redis key prefix, all removed by close(). For tests that inject
 * requests; the cluster and the built process have their own tests.
 */
import { Topics, topicName } from '@herald/contracts';
import { deleteTopics, ensureTopics, heraldTopicSpecs, type Kafka } from '@herald/kafka';
import { createRedis } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { backingServices, deleteRedisKeys, testKafka, uniqueName, waitFor } from '@herald/testing';
import { TrackingService, createDatabase } from '@herald/tracking';
import { createTestDatabase } from '@herald/tracking/testing';
import { buildApp, type App } from '../../src/app';
import { loadConfig, type IngestConfig } from '../../src/config';

export interface TestAppOptions {
  /** Names the topic prefix and the logger. */
  name: string;
  partitions?: number;
  /** Variables on top of the test's own (API_KEYS, BODY_LIMIT_BYTES, RATE_LIMIT_*...). Without API_KEYS, AUTH_DISABLED=true. */
  env?: Record<string, string>;
  /** The north topic's max.message.bytes, when a test needs a small one. */
  topicMaxMessageBytes?: number;
}

export interface TestApp {
  app: App;
  config: IngestConfig;
  kafka: Kafka;
  /** A Redis connection of the test's own, for looking at what the app wrote. */
  redis: ReturnType<typeof createRedis>;
  tracking: TrackingService;
  prefix: string;
  northTopic: string;
  close(): Promise<void>;
}

const silent = createLogger({ service: 'ingest-api-test', level: 'silent' });

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const services = await backingServices();
  const prefix = uniqueName(options.name);
  const kafka = testKafka(services.kafkaBrokers);
  await ensureTopics(kafka, heraldTopicSpecs(prefix, options.partitions ?? 1, options.topicMaxMessageBytes));
  const database = await createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate });
  const env: Record<string, string> = {
    KAFKA_BROKERS: services.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `herald-test:${prefix}`,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '2',
    LOG_LEVEL: 'silent',
    ...(options.env?.['API_KEYS'] ? {} : { AUTH_DISABLED: 'true' }),
    ...options.env,
  };
  const config = loadConfig(env);
  const app = await buildApp(config, { logger: silent });
  await app.ready();
  // Ready as production means it: Kafka connected (the producer connects in the background).
  await waitFor('the app to be ready', async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { timeoutMs: 30_000, intervalMs: 100 });
  const redis = createRedis(services.redisUrl, 'producer', silent);
  const db = createDatabase({ databaseUrl: database.url, poolSize: 1 });
  return {
    app,
    config,
    kafka,
    redis,
    tracking: new TrackingService(db, silent),
    prefix,
    northTopic: topicName(Topics.North, prefix),
    async close() {
      await app.close();
      await redis.quit();
      await db.close();
      await database.drop();
      await deleteRedisKeys(services.redisUrl, `herald-test:${prefix}:*`);
      await deleteTopics(kafka, heraldTopicSpecs(prefix).map((t) => t.topic));
    },
  };
}
