/** ingest-api configuration: the only module that reads process.env. */
import { availableParallelism } from 'node:os';
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { LOG_LEVELS, parseConfig, v, type ConfigOf } from '@herald/runtime';

export const configSpec = {
  ...kafkaConfigSpec({ clientId: 'herald-ingest-api' }),
  PORT: v.port({ description: 'HTTP port.', default: 9000 }),
  HOST: v.string({ description: 'Interface to listen on.', default: '0.0.0.0' }),
  WEB_CONCURRENCY: v.int({
    description: 'Worker processes forked by the cluster primary; 1 runs a single process without a primary.',
    min: 1,
    max: 64,
    default: () => availableParallelism(),
    defaultLabel: 'number of CPUs',
  }),
  LOG_LEVEL: v.oneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' }),
  KAFKA_SEND_TIMEOUT_MS: v.int({ description: 'Answer 503 when Kafka has not acknowledged a message within this time.', min: 100, default: 10_000 }),
  DATABASE_URL: v.url({ description: 'PostgreSQL (tracking) for GET /v1/messages/:id.', protocols: ['postgres', 'postgresql'], default: 'postgresql://postgres@127.0.0.1:5432/herald', secret: true }),
  DATABASE_POOL_SIZE: v.int({ description: 'PostgreSQL connections per process.', min: 1, max: 100, default: 4 }),
  REDIS_URL: v.url({ description: 'Redis for Idempotency-Key records (expects persistence in production so keys survive a restart).', protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379', secret: true }),
  IDEMPOTENCY_TTL_SEC: v.int({ description: 'How long an Idempotency-Key is remembered (at least 24 hours).', min: 86_400, default: 86_400 }),
  IDEMPOTENCY_WAIT_MS: v.int({ description: 'How long a request waits for a concurrent request with the same Idempotency-Key to finish before answering 409.', min: 0, default: 5_000 }),
  API_KEYS: v.string({
    description:
      'API clients as name:key pairs, comma-separated (e.g. acme:9f3c...,globex:77ab...). When set, /v1 requires Authorization: Bearer <key> and each client sees only its own messages; empty: no authentication, every request is client "default".',
    default: '',
    minLength: 0,
    pattern: /^$|^[a-z0-9_-]{1,64}:[\x21-\x2b\x2d-\x7e]{16,}(,[a-z0-9_-]{1,64}:[\x21-\x2b\x2d-\x7e]{16,})*$/,
    hint: 'must be name:key pairs, comma-separated (name: a-z 0-9 _ -, key: 16+ visible characters other than a comma)',
    secret: true,
  }),
  BODY_LIMIT_BYTES: v.int({ description: 'Largest request body accepted (413 above).', min: 1_024, max: 10_485_760, default: 1_048_576 }),
  SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for draining on SIGTERM before the process exits anyway.', min: 1_000, default: 25_000 }),
  RESTART_BACKOFF_MS: v.int({ description: 'Cluster primary: first delay before restarting a worker that died (doubles per crash).', min: 10, default: 500 }),
  CRASH_LOOP_RESTARTS: v.int({ description: 'Cluster primary: a worker that dies more than this many times within CRASH_LOOP_WINDOW_MS is not restarted again.', min: 1, default: 5 }),
  CRASH_LOOP_WINDOW_MS: v.int({ description: 'Cluster primary: window for counting crashes.', min: 1_000, default: 60_000 }),
};

export type IngestConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const config = parseConfig(configSpec, env);
  kafkaSettings(config); // cross-checks (throws ConfigError)
  return config;
}
