/** webhook-worker configuration: the only module that reads process.env. */
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { ConfigError, LOG_LEVELS, parseConfig, v, type ConfigOf } from '@herald/runtime';
import { DEFAULT_RETRY_SCHEDULE, DURATION_PATTERN, retrySchedule, webhookSharedConfigSpec, type RetrySchedule } from '@herald/webhooks';

export const configSpec = {
  ...kafkaConfigSpec({ clientId: 'herald-webhook-worker' }),
  LOG_LEVEL: v.oneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' }),
  HEALTH_HOST: v.string({ description: 'Interface for /healthz, /readyz and /metrics.', default: '0.0.0.0' }),
  HEALTH_PORT: v.port({ description: 'Port for /healthz, /readyz and /metrics.', default: 9104 }),
  KAFKA_PARTITIONS_CONCURRENTLY: v.int({ description: 'south-updates partitions handled at the same time.', min: 1, max: 64, default: 3 }),
  KAFKA_SESSION_TIMEOUT_MS: v.int({ description: 'Consumer group session timeout: how soon the partitions of a worker that died are handed to the others (6000 to 300000).', min: 6_000, max: 300_000, default: 30_000 }),
  WEBHOOK_BATCH_SIZE: v.int({ description: 'south-updates records turned into webhook jobs at once (one database query and one addBulk per batch).', min: 1, max: 10_000, default: 1_000 }),
  REDIS_URL: v.url({ description: 'Redis for the WebhookQueue and the per-endpoint caps (expects maxmemory-policy noeviction).', protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379', secret: true }),
  QUEUE_PREFIX: v.string({ description: 'BullMQ key prefix (must match the ingest-api, which adds tests and replays).', default: 'herald' }),
  KEEP_COMPLETED_JOBS: v.int({ description: 'Completed webhook jobs kept (an hour at most; they also drop a repeated fan-out of the same event).', min: 0, default: 10_000 }),
  KEEP_FAILED_JOBS: v.int({ description: 'Failed webhook jobs kept in Redis (the durable record is webhook_attempts).', min: 0, default: 50_000 }),
  WORKER_CONCURRENCY: v.int({ description: 'Webhook calls made at the same time by this process.', min: 1, max: 1_000, default: 50 }),
  LOCK_DURATION_MS: v.int({ description: 'BullMQ job lock; a job whose worker stops renewing it is taken up again after this long. Must exceed WEBHOOK_TIMEOUT_MS.', min: 5_000, default: 30_000 }),
  STALLED_INTERVAL_MS: v.int({ description: 'How often BullMQ looks for stalled jobs.', min: 1_000, default: 15_000 }),
  DATABASE_URL: v.url({ description: 'PostgreSQL (tracking: endpoints, messages, attempts).', protocols: ['postgres', 'postgresql'], default: 'postgresql://postgres@127.0.0.1:5432/herald', secret: true }),
  DATABASE_POOL_SIZE: v.int({ description: 'PostgreSQL connections.', min: 1, max: 100, default: 10 }),
  ...webhookSharedConfigSpec({ keyRequired: true }),
  WEBHOOK_TIMEOUT_MS: v.int({ description: 'A call to an endpoint (connect, answer and the bounded read of its body) is abandoned after this long, and counts as failed.', min: 100, max: 120_000, default: 15_000 }),
  WEBHOOK_RETRY_SCHEDULE: v.list({
    description: 'Delays before each retry of a failed call, comma-separated (ms, s, m, h, d); the default is Svix\'s schedule, 13 calls over 3 days and 5.5 hours. A call after the last delay that fails again ends the event as failed (replayable).',
    default: [...DEFAULT_RETRY_SCHEDULE],
    item: DURATION_PATTERN,
    hint: 'must be durations such as 5s, 5m, 2h',
  }),
  WEBHOOK_RETRY_JITTER_PERCENT: v.int({ description: 'Each retry delay is stretched by up to this share at random, so that the retries of a burst spread out.', min: 0, max: 100, default: 10 }),
  WEBHOOK_DISABLE_AFTER_MS: v.int({ description: 'An endpoint whose every call has failed for this long is disabled, with the reason shown to its owner (default 5 days).', min: 1_000, default: 5 * 86_400_000 }),
  WEBHOOK_ENDPOINT_CONCURRENCY: v.int({ description: 'Calls in flight to one endpoint at most, across every webhook-worker (a Redis semaphore); jobs over it wait, so a slow endpoint holds no more than this many call slots.', min: 1, max: 1_000, default: 10 }),
  WEBHOOK_ENDPOINT_RATE_PER_SEC: v.int({ description: 'Calls per second to one endpoint at most, across every webhook-worker; 0 for no limit.', min: 0, default: 100 }),
  WEBHOOK_ENDPOINT_CACHE_MS: v.int({ description: 'How long an endpoint (URL, state, secrets) is cached by a worker before it is read again.', min: 0, max: 60_000, default: 2_000 }),
  WEBHOOK_ATTEMPTS_RETENTION_DAYS: v.int({ description: 'Attempts are kept this many days (GET /v1/webhooks/{id}/attempts, replays), then pruned.', min: 1, max: 365, default: 14 }),
  SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for the drain on SIGTERM (the batch in hand, the calls in flight) before the process exits anyway; at least WEBHOOK_TIMEOUT_MS (a call cut short is made again: nothing is lost).', min: 1_000, default: 30_000 }),
};

export type WebhookWorkerConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WebhookWorkerConfig {
  const config = parseConfig(configSpec, env);
  kafkaSettings(config); // cross-checks (throws ConfigError)
  const problems: string[] = [];
  if (config.LOCK_DURATION_MS <= config.WEBHOOK_TIMEOUT_MS) problems.push(`LOCK_DURATION_MS (${config.LOCK_DURATION_MS}) must exceed WEBHOOK_TIMEOUT_MS (${config.WEBHOOK_TIMEOUT_MS})`);
  if (config.SHUTDOWN_GRACE_MS < config.WEBHOOK_TIMEOUT_MS) problems.push(`SHUTDOWN_GRACE_MS (${config.SHUTDOWN_GRACE_MS}) must be at least WEBHOOK_TIMEOUT_MS (${config.WEBHOOK_TIMEOUT_MS}), so that a drain finishes the calls in flight`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export function scheduleOf(config: WebhookWorkerConfig): RetrySchedule {
  return retrySchedule(config.WEBHOOK_RETRY_SCHEDULE, config.WEBHOOK_RETRY_JITTER_PERCENT / 100);
}
