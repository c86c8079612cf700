/**
 * The ingest-api as one in-process Fastify app (buildApp) against real Kafka, Redis and
 * PostgreSQL: its own topic prefix, database clone and idempotency key prefix, all removed by
 * close(). For tests that inject requests; the cluster and the built process have their own tests.
 */
import { Topics, topicName } from '@herald/contracts';
import { BatchingProducer, deleteTopics, ensureTopics, heraldTopicSpecs, type Kafka } from '@herald/kafka';
import { createRedis } from '@herald/queues';
import { Health, createLogger } from '@herald/runtime';
import { backingServices, testKafka, uniqueName } from '@herald/testing';
import { ReplayRepository, TrackingService, createPrismaClient } from '@herald/tracking';
import { createTestDatabase } from '@herald/tracking/testing';
import { buildApp, type App } from '../../src/app';
import { parseApiKeys } from '../../src/plugins/auth';
import { RedisIdempotencyStore } from '../../src/services/idempotency-store';
import { KafkaNorthPublisher } from '../../src/services/kafka-publisher';

export interface TestAppOptions {
  /** Names the topic prefix and the logger. */
  name: string;
  partitions?: number;
  bodyLimit?: number;
  /** Idempotency-Key support (a Redis store under the test's own prefix). */
  idempotency?: boolean;
  /** API_KEYS, e.g. "acme:key1,globex:key2"; none: the default client, no auth. */
  apiKeys?: string;
  /** A readiness check on the database, as the server registers. */
  databaseReadiness?: boolean;
}

export interface TestApp {
  app: App;
  kafka: Kafka;
  redis: ReturnType<typeof createRedis>;
  tracking: TrackingService;
  prefix: string;
  northTopic: string;
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const logger = createLogger({ service: `${options.name}-test`, level: 'silent' });
  const services = await backingServices();
  const prefix = uniqueName(options.name);
  const kafka = testKafka(services.kafkaBrokers);
  await ensureTopics(kafka, heraldTopicSpecs(prefix, options.partitions ?? 1));
  const producer = new BatchingProducer(kafka, { logger });
  await producer.connect();
  const redis = createRedis(services.redisUrl, 'producer', logger);
  const database = await createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate });
  const prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 2 });
  const tracking = new TrackingService(prisma, logger);
  const health = new Health();
  if (options.databaseReadiness) health.addReadinessCheck('database', () => tracking.ping());
  const app = await buildApp({
    logger,
    publisher: new KafkaNorthPublisher(producer, prefix),
    reader: tracking,
    failed: new ReplayRepository(prisma),
    health,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    ...(options.idempotency ? { idempotency: new RedisIdempotencyStore(redis, 86_400, `herald:idempotency:${prefix}`) } : {}),
    ...(options.apiKeys ? { apiKeys: parseApiKeys(options.apiKeys) } : {}),
  });
  await app.ready();
  return {
    app,
    kafka,
    redis,
    tracking,
    prefix,
    northTopic: topicName(Topics.North, prefix),
    async close() {
      await app.close();
      await producer.close();
      await redis.quit();
      await prisma.$disconnect();
      await database.drop();
      await deleteTopics(kafka, heraldTopicSpecs(prefix).map((t) => t.topic));
    },
  };
}
