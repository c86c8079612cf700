/** Configuration every channel worker shares; each app adds its provider's variables. */
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { ConfigError, LOG_LEVELS, v, type ConfigOf, type VarSpec } from '@herald/runtime';
import type { DeliveryPolicy } from '@herald/delivery';

export function deliveryWorkerConfigSpec(defaults: { healthPort: number; clientId: string; concurrency: number }) {
  return {
    ...kafkaConfigSpec({ clientId: defaults.clientId }),
    LOG_LEVEL: v.oneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' }),
    HEALTH_HOST: v.string({ description: 'Interface for /healthz, /readyz and /metrics.', default: '0.0.0.0' }),
    HEALTH_PORT: v.port({ description: 'Port for /healthz, /readyz and /metrics.', default: defaults.healthPort }),
    REDIS_URL: v.url({ description: 'Redis for the BullMQ queues.', protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379', secret: true }),
    QUEUE_PREFIX: v.string({ description: 'BullMQ key prefix (must match the kafka-bridge).', default: 'herald' }),
    WORKER_CONCURRENCY: v.int({ description: 'Deliveries sent at the same time by this process.', min: 1, max: 1_000, default: defaults.concurrency }),
    LOCK_DURATION_MS: v.int({ description: 'BullMQ job lock; a job whose worker stops renewing it is taken up again after this long.', min: 5_000, default: 30_000 }),
    STALLED_INTERVAL_MS: v.int({ description: 'How often BullMQ looks for stalled jobs.', min: 1_000, default: 15_000 }),
    DATABASE_URL: v.url({ description: 'PostgreSQL (the send ledger).', protocols: ['postgres', 'postgresql'], default: 'postgresql://postgres@127.0.0.1:5432/herald', secret: true }),
    DATABASE_POOL_SIZE: v.int({ description: 'PostgreSQL connections.', min: 1, max: 100, default: 10 }),
    DELIVERY_MAX_ATTEMPTS: v.int({ description: 'Provider calls before a delivery is failed.', min: 1, max: 100, default: 8 }),
    DELIVERY_MAX_AGE_MS: v.int({ description: 'A delivery not sent this long after acceptance is failed (EXPIRED).', min: 1_000, default: 86_400_000 }),
    SEND_TIMEOUT_MS: v.int({ description: 'A provider call is abandoned after this long.', min: 100, default: 20_000 }),
    SEND_LEASE_MS: v.int({ description: 'How long a ledger claim keeps other workers from sending the same delivery; must exceed SEND_TIMEOUT_MS.', min: 200, default: 60_000 }),
    RETRY_BASE_MS: v.int({ description: 'First retry delay after a transient error; doubles per attempt.', min: 1, default: 2_000 }),
    RETRY_MAX_MS: v.int({ description: 'Longest retry delay.', min: 1, default: 600_000 }),
    RETRY_JITTER_PERCENT: v.int({ description: 'Share of each retry delay that is random.', min: 0, max: 100, default: 50 }),
    IN_DOUBT_POLICY: v.oneOf(['resend', 'fail'] as const, {
      description:
        'When a send may or may not have reached a provider that can neither deduplicate nor be asked: resend (at least once) or fail (at most once, replayable).',
      default: 'resend',
    }),
    SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for in-flight sends on SIGTERM before the process exits anyway.', min: 1_000, default: 30_000 }),
    PROVIDER_WEIGHTS: v.string({
      description: 'Traffic split among the available providers, as name=weight pairs (e.g. ses=70,sendgrid=30); empty: all traffic to the first available provider in the configured order (failover only).',
      default: '',
      minLength: 0,
      pattern: /^$|^[a-z0-9-]{1,32}=\d{1,5}(,[a-z0-9-]{1,32}=\d{1,5})*$/,
      hint: 'must be name=weight pairs, comma-separated',
    }),
    PROVIDER_RATE_LIMITS: v.string({
      description: 'Sends per second per provider account, shared by every replica, as name=rate pairs (e.g. ses=14); a delivery waits for its provider\'s rate (no attempt spent).',
      default: '',
      minLength: 0,
      pattern: /^$|^[a-z0-9-]{1,32}=\d{1,6}(,[a-z0-9-]{1,32}=\d{1,6})*$/,
      hint: 'must be name=rate pairs, comma-separated',
    }),
    BREAKER_FAILURES: v.int({ description: 'Circuit breaker: consecutive transient failures (seen by one replica) that open a provider\'s breaker for every replica.', min: 1, default: 5 }),
    BREAKER_ERROR_RATE_PERCENT: v.int({ description: 'Circuit breaker: share of failed calls within BREAKER_WINDOW_MS that opens it (with at least BREAKER_MIN_CALLS calls).', min: 1, max: 100, default: 50 }),
    BREAKER_WINDOW_MS: v.int({ description: 'Circuit breaker: the window of the error rate.', min: 1_000, default: 30_000 }),
    BREAKER_MIN_CALLS: v.int({ description: 'Circuit breaker: calls within the window before the error rate counts.', min: 1, default: 20 }),
    BREAKER_OPEN_MS: v.int({ description: 'Circuit breaker: how long it stays open before one attempt probes the provider again.', min: 100, default: 30_000 }),
    PROVIDER_STATE_CACHE_MS: v.int({ description: 'How long a replica keeps the shared provider state (breakers, pauses) it read from Redis.', min: 0, max: 10_000, default: 500 }),
  } satisfies Record<string, VarSpec<unknown>>;
}

export type DeliveryWorkerConfig = ConfigOf<ReturnType<typeof deliveryWorkerConfigSpec>>;

/** Parses name=number pairs (PROVIDER_WEIGHTS, PROVIDER_RATE_LIMITS). */
export function namedNumbers(spec: string): Map<string, number> {
  return new Map(
    spec
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [name = '', n = '0'] = pair.split('=');
        return [name, Number(n)] as const;
      }),
  );
}

/** Checks that PROVIDER_WEIGHTS and PROVIDER_RATE_LIMITS name only configured providers. */
export function checkRoutingConfig(config: DeliveryWorkerConfig, providers: readonly string[], listVariable: string): void {
  const problems: string[] = [];
  for (const variable of ['PROVIDER_WEIGHTS', 'PROVIDER_RATE_LIMITS'] as const) {
    const unknown = [...namedNumbers(config[variable]).keys()].filter((name) => !providers.includes(name));
    if (unknown.length) problems.push(`${variable} names ${unknown.join(', ')}, which ${listVariable} does not list (${providers.join(', ')})`);
  }
  if (problems.length) throw new ConfigError(problems);
}

export function deliveryPolicy(config: DeliveryWorkerConfig): DeliveryPolicy {
  kafkaSettings(config); // cross-checks the Kafka settings too (throws ConfigError)
  if (config.SEND_LEASE_MS <= config.SEND_TIMEOUT_MS) {
    throw new ConfigError([`SEND_LEASE_MS (${config.SEND_LEASE_MS}) must exceed SEND_TIMEOUT_MS (${config.SEND_TIMEOUT_MS})`]);
  }
  return {
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    maxAgeMs: config.DELIVERY_MAX_AGE_MS,
    sendTimeoutMs: config.SEND_TIMEOUT_MS,
    leaseMs: config.SEND_LEASE_MS,
    backoff: { baseMs: config.RETRY_BASE_MS, maxMs: config.RETRY_MAX_MS, jitter: config.RETRY_JITTER_PERCENT / 100 },
    inDoubt: config.IN_DOUBT_POLICY,
  };
}
