/** ingest-api configuration: the only module that reads process.env. */
import { availableParallelism } from 'node:os';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { ConfigError, LOG_LEVELS, parseConfig, v, type ConfigOf } from '@herald/runtime';
import { webhookSharedConfigSpec } from '@herald/webhooks';

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
  AUTH_DISABLED: v.bool({
    description:
      'Switches authentication off: every request is the client "default". Only for local use or behind a gateway that authenticates; logged as a warning at every start. Without it, API_KEYS is required.',
    default: false,
  }),
  API_KEYS: v.string({
    description:
      'API clients as name:key pairs, comma-separated (e.g. acme:9f3c...,globex:77ab...). Every /v1 request needs Authorization: Bearer <key>; each client sees only its own messages. Required unless AUTH_DISABLED=true. The name "default" is reserved for unauthenticated use.',
    default: '',
    minLength: 0,
    pattern: /^$|^[a-z0-9_-]{1,64}:[\x21-\x2b\x2d-\x7e]{16,}(,[a-z0-9_-]{1,64}:[\x21-\x2b\x2d-\x7e]{16,})*$/,
    hint: 'must be name:key pairs, comma-separated (name: a-z 0-9 _ -, key: 16+ visible characters other than a comma)',
    secret: true,
  }),
  REDIS_PREFIX: v.string({ description: 'Prefix of the Redis keys this service writes (Idempotency-Key records, rate limits).', default: 'herald', pattern: /^[A-Za-z0-9:_.-]{1,64}$/, hint: 'must be 1 to 64 of A-Z a-z 0-9 : _ . -' }),
  RATE_LIMIT_PER_CLIENT: v.int({ description: 'Requests per second each API client may make to /v1 (sustained); 0 switches per-client limits off.', min: 0, default: 200 }),
  RATE_LIMIT_BURST: v.int({ description: 'Extra requests a client may make above its rate within RATE_LIMIT_BURST_WINDOW_SEC (absorbs short bursts).', min: 0, default: 1_000 }),
  RATE_LIMIT_BURST_WINDOW_SEC: v.int({ description: 'Window of the burst allowance, in seconds.', min: 1, max: 3_600, default: 10 }),
  RATE_LIMIT_CLIENTS: v.string({
    description: 'Per-client rates overriding RATE_LIMIT_PER_CLIENT, as name=requests-per-second pairs, comma-separated (e.g. acme=1000,globex=50).',
    default: '',
    minLength: 0,
    pattern: /^$|^[a-z0-9_-]{1,64}=\d{1,7}(,[a-z0-9_-]{1,64}=\d{1,7})*$/,
    hint: 'must be name=number pairs, comma-separated',
  }),
  RATE_LIMIT_GLOBAL: v.int({ description: 'Requests per second to /v1 for all clients together, across every ingest process and pod; 0 switches it off.', min: 0, default: 5_000 }),
  SMS_ALLOWED_COUNTRIES: v.list({
    description:
      'Destinations an SMS may go to: ISO 3166 country codes (GB, US) and/or E.164 calling codes (+44, +1); "*" allows every country. A message to another destination, or to a premium-rate number anywhere, is refused with 422. The default is the UK numbering plan, the US and Canada, not the whole +1 plan whose Caribbean numbers are a common SMS-pumping target (see SECURITY.md).',
    default: ['+44', 'US', 'CA'],
    item: /^(\*|[A-Z]{2}|\+[1-9][0-9]{0,3})$/,
    hint: 'must be ISO country codes (GB), calling codes (+44) or *',
  }),
  EMAIL_SENDERS: v.string({
    description:
      'Sender identities each client may put in email.from, as client:identity pairs separated by commas, identities of one client separated by |: an address (no-reply@acme.com) or a whole domain (@acme.com). A client without an entry may only use EMAIL_FROM (the default sender).',
    default: '',
    minLength: 0,
    pattern: /^$|^[a-z0-9_-]{1,64}:[^,:|\s]+(\|[^,:|\s]+)*(,[a-z0-9_-]{1,64}:[^,:|\s]+(\|[^,:|\s]+)*)*$/,
    hint: 'must be client:identity pairs, comma-separated, identities separated by |',
  }),
  BODY_LIMIT_BYTES: v.int({ description: 'Largest request body accepted (413 above); also bounded by the north-updates topic\'s max.message.bytes, checked at start.', min: 1_024, max: 10_485_760, default: 1_048_576 }),
  REQUEST_TIMEOUT_MS: v.int({ description: 'Longest time to receive a whole request, headers and body (408 after it): a client that stalls mid-body does not hold its connection.', min: 1_000, default: 30_000 }),
  HEADERS_TIMEOUT_MS: v.int({ description: 'Longest time to receive the request headers.', min: 1_000, default: 10_000 }),
  CONNECTION_TIMEOUT_MS: v.int({ description: 'An idle socket (no bytes either way) is closed after this long.', min: 1_000, default: 70_000 }),
  KEEP_ALIVE_TIMEOUT_MS: v.int({ description: 'How long an idle keep-alive connection is kept open between requests (longer than a load balancer\'s idle timeout, usually 60 s).', min: 1_000, default: 65_000 }),
  SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for draining on SIGTERM before the process exits anyway.', min: 1_000, default: 25_000 }),
  RESTART_BACKOFF_MS: v.int({ description: 'Cluster primary: first delay before restarting a worker that died (doubles per crash).', min: 10, default: 500 }),
  CRASH_LOOP_RESTARTS: v.int({ description: 'Cluster primary: a worker that dies more than this many times within CRASH_LOOP_WINDOW_MS is not restarted again.', min: 1, default: 5 }),
  CRASH_LOOP_WINDOW_MS: v.int({ description: 'Cluster primary: window for counting crashes.', min: 1_000, default: 60_000 }),
  ...webhookSharedConfigSpec({ keyRequired: false }),
  QUEUE_PREFIX: v.string({ description: 'BullMQ key prefix of the WebhookQueue, where webhook tests and replays go (must match the webhook-worker).', default: 'herald' }),
};

export type IngestConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const config = parseConfig(configSpec, env);
  kafkaSettings(config); // cross-checks (throws ConfigError)
  const problems: string[] = [];
  if (!config.AUTH_DISABLED && config.API_KEYS === '') {
    problems.push('API_KEYS is required: give each API client a key (name:key pairs), or set AUTH_DISABLED=true to run without authentication (local use only)');
  }
  const names = config.API_KEYS.split(',').filter(Boolean).map((pair) => pair.slice(0, pair.indexOf(':')));
  if (names.includes(DEFAULT_CLIENT)) problems.push(`API_KEYS may not name a client "${DEFAULT_CLIENT}": that name is the unauthenticated client`);
  const keys = config.API_KEYS.split(',').filter(Boolean).map((pair) => pair.slice(pair.indexOf(':') + 1));
  if (new Set(keys).size !== keys.length) problems.push('API_KEYS gives the same key to two clients');
  const unknown = config.SMS_ALLOWED_COUNTRIES.filter((c) => /^[A-Z]{2}$/.test(c) && !isSupportedCountry(c));
  if (unknown.length) problems.push(`SMS_ALLOWED_COUNTRIES names countries that have no phone numbering plan: ${unknown.join(', ')} (use ISO 3166 codes, e.g. GB, not UK)`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** The client of every request when authentication is off; no configured client may take it. */
export const DEFAULT_CLIENT = 'default';
