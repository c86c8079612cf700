/**
 * buildApp(config): the whole ingest-api as a Fastify instance, built from its configuration,
 * with nothing listening. main.ts (through server.ts) listens; tests call buildApp() with a
 * configuration of their own and use app.inject(), so they run exactly what production runs.
 * Its connections (Kafka, PostgreSQL, Redis) are plugins that close on app.close(), after the
 * requests in flight.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createAjv } from '@herald/contracts';
import { kafkaSettings } from '@herald/kafka';
import { Counter, Health, Histogram, createMetricsRegistry, type Logger, type Registry } from '@herald/runtime';
import { createLookupAll } from '@herald/webhooks';
import { DEFAULT_CLIENT, type IngestConfig } from './config';
import { authenticator, parseApiKeys } from './plugins/auth';
import database from './plugins/database';
import jsonBody from './plugins/json-body';
import kafka from './plugins/kafka';
import openApi from './plugins/openapi';
import problem from './plugins/problem';
import { RateLimits, parseRateOverrides, rateLimiter } from './plugins/rate-limit';
import redis from './plugins/redis';
import { webhookDocs } from './plugins/webhook-docs';
import webhookQueue from './plugins/webhook-queue';
import healthRoutes from './routes/health/index';
import v1Routes from './routes/v1/index';
import { RedisIdempotencyStore } from './services/idempotency-store';
import { MessageService } from './services/message-service';
import { ReplayService } from './services/replay-service';
import { SendPolicy, parseSenders } from './services/send-policy';
import { WebhookService } from './services/webhook-service';

declare module 'fastify' {
  interface FastifyInstance {
    health: Health;
    metrics: Registry;
  }
}

export interface BuildOptions {
  logger: Logger;
  version?: string;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, TypeBoxTypeProvider>;

/** A request id taken from X-Request-Id: a short token of letters, digits and . _ - (anything else is replaced). */
const REQUEST_ID = /^[\w.-]{1,64}$/;

export async function buildApp(config: IngestConfig, options: BuildOptions): Promise<App> {
  const { logger } = options;
  const app = Fastify<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>({
    loggerInstance: logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    return503OnClosing: true,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // Node checks requests against these timeouts every connectionsCheckingInterval (30 s by
    // default): once a second, so that a stalled request is cut within a second of its deadline.
    http: { headersTimeout: config.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    // One debug line per request (onResponse below) instead of two info lines: at thousands of
    // requests per second, request logs would cost more than the requests.
    logController: new LogController({ disableRequestLogging: true }),
    // genReqId alone decides the id: Fastify would otherwise take the header as given.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The contracts' Ajv: bodies validated as they are; querystring, params and headers (text on the
  // wire) with type coercion.
  const bodies = createAjv();
  const textParts = createAjv({ coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : textParts).compile(schema));

  const health = new Health(2_000, logger);
  const metrics = createMetricsRegistry('ingest-api');
  app.decorate('health', health);
  app.decorate('metrics', metrics);
  app.decorateRequest('client', DEFAULT_CLIENT);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });
  const requests = new Counter({ name: 'herald_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [metrics] });
  const latency = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP request duration by route.',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, status: reply.statusCode });
    latency.observe({ route }, reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, url: request.url.slice(0, 200), status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  // Connections, closed on app.close() in reverse order.
  await app.register(database, { databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, health, logger });
  await app.register(redis, { url: config.REDIS_URL, logger });
  await app.register(webhookQueue, { url: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  await app.register(kafka, { settings: kafkaSettings(config), topicPrefix: config.KAFKA_TOPIC_PREFIX, sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS, bodyLimit: config.BODY_LIMIT_BYTES, health, logger });

  await app.register(problem, { bodyLimit: config.BODY_LIMIT_BYTES });
  await app.register(jsonBody);
  await app.register(openApi, { version: options.version ?? '0.1.0', webhooks: webhookDocs });
  await app.register(healthRoutes, { health, metrics });

  if (config.AUTH_DISABLED) logger.warn('authentication is switched off (AUTH_DISABLED=true): every request is the client "default"; never expose this API like this');
  const limits = new RateLimits(app.redis, {
    perClient: config.RATE_LIMIT_PER_CLIENT,
    burst: config.RATE_LIMIT_BURST,
    burstWindowSec: config.RATE_LIMIT_BURST_WINDOW_SEC,
    overrides: parseRateOverrides(config.RATE_LIMIT_CLIENTS),
    global: config.RATE_LIMIT_GLOBAL,
    keyPrefix: config.REDIS_PREFIX,
  });
  const limited = config.RATE_LIMIT_PER_CLIENT > 0 || config.RATE_LIMIT_GLOBAL > 0 || config.RATE_LIMIT_CLIENTS !== '';
  const messages = new MessageService({
    publisher: app.northPublisher,
    policy: new SendPolicy({ smsAllowed: config.SMS_ALLOWED_COUNTRIES, senders: parseSenders(config.EMAIL_SENDERS) }),
    idempotency: new RedisIdempotencyStore(app.redis, config.IDEMPOTENCY_TTL_SEC, `${config.REDIS_PREFIX}:idempotency`, Math.ceil(config.KAFKA_SEND_TIMEOUT_MS / 1000) + 5),
    idempotencyWaitMs: config.IDEMPOTENCY_WAIT_MS,
    logger,
  });
  await app.register(v1Routes, {
    prefix: '/v1',
    ...(config.AUTH_DISABLED ? {} : { authenticate: authenticator(parseApiKeys(config.API_KEYS)) }),
    ...(limited ? { rateLimit: rateLimiter(limits) } : {}),
    charge: (client, points) => limits.charge(client, points),
    messages,
    reader: app.tracking,
    replays: new ReplayService(app.replays, app.northPublisher),
    suppressions: app.suppressions,
    webhooks: new WebhookService({
      repository: app.webhookEndpoints,
      secretsKey: config.WEBHOOK_SECRETS_KEY,
      rules: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS },
      jobs: app.webhookJobs,
      lookup: createLookupAll({ servers: config.WEBHOOK_DNS_SERVERS, timeoutMs: 3_000 }),
    }),
  });
  return app;
}
