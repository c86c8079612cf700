/** kafka-bridge configuration: the only module that reads process.env. */
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { LOG_LEVELS, parseConfig, v, type ConfigOf } from '@herald/runtime';

export const configSpec = {
  ...kafkaConfigSpec({ clientId: 'herald-kafka-bridge' }),
  LOG_LEVEL: v.oneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' }),
  HEALTH_HOST: v.string({ description: 'Interface for /healthz, /readyz and /metrics.', default: '0.0.0.0' }),
  HEALTH_PORT: v.port({ description: 'Port for /healthz, /readyz and /metrics.', default: 9101 }),
  KAFKA_PARTITIONS_CONCURRENTLY: v.int({ description: 'Partitions handled at the same time by each consumer.', min: 1, max: 64, default: 3 }),
  KAFKA_SESSION_TIMEOUT_MS: v.int({ description: 'Consumer group session timeout: how soon the partitions of a bridge that died are handed to the others (6000 to 300000).', min: 6_000, max: 300_000, default: 30_000 }),
  NORTH_BATCH_SIZE: v.int({ description: 'north-updates records handled (recorded and queued) at once.', min: 1, max: 5_000, default: 500 }),
  SOUTH_BATCH_SIZE: v.int({ description: 'south-updates records applied to tracking at once.', min: 1, max: 10_000, default: 1_000 }),
  REDIS_URL: v.url({ description: 'Redis for the BullMQ queues (expects maxmemory-policy noeviction).', protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379', secret: true }),
  QUEUE_PREFIX: v.string({ description: 'BullMQ key prefix (namespaces a deployment).', default: 'herald' }),
  MAIN_QUEUE_CONCURRENCY: v.int({ description: 'NotificationQueue jobs routed at the same time.', min: 1, max: 1_000, default: 50 }),
  KEEP_COMPLETED_JOBS: v.int({ description: 'Completed jobs kept per queue (bounds Redis memory).', min: 0, default: 10_000 }),
  KEEP_FAILED_JOBS: v.int({ description: 'Failed jobs kept per queue (the durable record of failures is in tracking).', min: 0, default: 50_000 }),
  BACKPRESSURE_HIGH_WATERMARK: v.int({ description: 'Jobs waiting in the queues at which the bridge stops reading north-updates (Kafka keeps the backlog).', min: 1, default: 100_000 }),
  BACKPRESSURE_LOW_WATERMARK: v.int({ description: 'Jobs waiting below which the bridge reads north-updates again.', min: 0, default: 50_000 }),
  BACKPRESSURE_CHECK_MS: v.int({ description: 'How often the queue backlog is measured.', min: 50, default: 1_000 }),
  RECONCILE_AFTER_MS: v.int({ description: 'A delivery not final and unchanged this long is routed again (idempotent: fills gaps such as jobs lost with Redis).', min: 1_000, default: 300_000 }),
  RECONCILE_INTERVAL_MS: v.int({ description: 'How often the reconciler looks for such deliveries.', min: 500, default: 30_000 }),
  RECONCILE_BATCH: v.int({ description: 'Deliveries routed again per round at most.', min: 1, max: 10_000, default: 1_000 }),
  DATABASE_URL: v.url({ description: 'PostgreSQL (tracking).', protocols: ['postgres', 'postgresql'], default: 'postgresql://postgres@127.0.0.1:5432/herald', secret: true }),
  DATABASE_POOL_SIZE: v.int({ description: 'PostgreSQL connections.', min: 1, max: 100, default: 8 }),
  SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for draining on SIGTERM before the process exits anyway.', min: 1_000, default: 25_000 }),
};

export type BridgeConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const config = parseConfig(configSpec, env);
  kafkaSettings(config); // cross-checks (throws ConfigError)
  return config;
}
