/**
 * One ingest-api process: connects its dependencies, builds the app, listens, and drains on
 * SIGTERM (stop accepting connections and answer 503 to new requests, finish the requests in
 * flight, flush the Kafka producer, close the database pool).
 */
import { Topics, topicName } from '@herald/contracts';
import { BatchingProducer, createKafka, kafkaReadinessCheck, kafkaSettings } from '@herald/kafka';
import { createRedis } from '@herald/queues';
import { Health, Lifecycle, createLogger, type Logger } from '@herald/runtime';
import { ReplayRepository, TrackingService, createPrismaClient } from '@herald/tracking';
import { buildApp } from './app';
import type { IngestConfig } from './config';
import { parseApiKeys } from './plugins/auth';
import { RedisIdempotencyStore } from './services/idempotency-store';
import { KafkaNorthPublisher } from './services/kafka-publisher';

export async function runServer(config: IngestConfig, logger: Logger = createLogger({ service: 'ingest-api', level: config.LOG_LEVEL })): Promise<void> {
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const health = new Health();
  lifecycle.onDraining(() => health.setDraining());

  const kafka = createKafka(kafkaSettings(config), logger);
  const producer = new BatchingProducer(kafka, { logger, sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS });
  lifecycle.onShutdown('kafka producer', () => producer.close());
  producer.connectInBackground();
  const northTopic = topicName(Topics.North, config.KAFKA_TOPIC_PREFIX);
  const kafkaProbe = kafkaReadinessCheck(kafka, [northTopic]);
  lifecycle.onShutdown('kafka probe', () => kafkaProbe.close());
  health.addReadinessCheck('kafka', async () => {
    if (!producer.isConnected) throw new Error('producer not connected');
    await kafkaProbe.check();
  });

  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  lifecycle.onShutdown('database', () => prisma.$disconnect());
  const tracking = new TrackingService(prisma, logger);
  // Not critical: without PostgreSQL the API still accepts messages (only reads fail).
  health.addReadinessCheck('database', () => tracking.ping(), { critical: false });

  // Idempotency-Key records. Not a readiness dependency: without Redis, requests still go through
  // and the derived message id keeps repeats from being delivered twice.
  const redis = createRedis(config.REDIS_URL, 'request', logger);
  lifecycle.onShutdown('redis', async () => {
    await redis.quit().catch(() => undefined);
  });

  const app = await buildApp({
    logger,
    publisher: new KafkaNorthPublisher(producer, config.KAFKA_TOPIC_PREFIX),
    reader: tracking,
    failed: new ReplayRepository(prisma),
    health,
    bodyLimit: config.BODY_LIMIT_BYTES,
    idempotency: new RedisIdempotencyStore(redis, config.IDEMPOTENCY_TTL_SEC, 'herald:idempotency', Math.ceil(config.KAFKA_SEND_TIMEOUT_MS / 1000) + 5),
    idempotencyWaitMs: config.IDEMPOTENCY_WAIT_MS,
    apiKeys: parseApiKeys(config.API_KEYS),
  });
  lifecycle.onShutdown('http server', () => app.close());
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT, topic: northTopic }, 'ingest-api listening');
}
