/**
 * buildApp(): the whole ingest-api as a Fastify instance, with nothing listening. main.ts listens;
 * tests call buildApp() with real dependencies and use app.inject().
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
import { ajvOptions } from '@herald/contracts';
import { Counter, Histogram, createMetricsRegistry, type Health, type Logger, type Registry } from '@herald/runtime';
import auth from './plugins/auth';
import jsonBody from './plugins/json-body';
import openApi from './plugins/openapi';
import problem from './plugins/problem';
import healthRoutes from './routes/health/index';
import messagesRoutes from './routes/messages/index';
import northRoutes from './routes/north/index';
import replaysRoutes from './routes/replays/index';
import type { MessageReader } from './services/message-reader';
import type { IdempotencyStore } from './services/idempotency-store';
import { MessageService, type MessagePublisher } from './services/message-service';
import { ReplayService, type FailedDeliveries, type ReplayPublisher } from './services/replay-service';

export interface AppDependencies {
  logger: Logger;
  publisher: MessagePublisher & ReplayPublisher;
  reader: MessageReader;
  failed: FailedDeliveries;
  health: Health;
  bodyLimit: number;
  version?: string;
  metrics?: Registry;
  idempotency?: IdempotencyStore;
  idempotencyWaitMs?: number;
  /** API key digest -> client (empty: no authentication). */
  apiKeys?: Map<string, string>;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, TypeBoxTypeProvider>;

const REQUEST_ID = /^[\w.-]{1,128}$/;

export async function buildApp(deps: AppDependencies): Promise<App> {
  const app = Fastify<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    return503OnClosing: true,
    // One debug line per request (onResponse below) instead of two info lines: at thousands of
    // requests per second, request logs would cost more than the requests.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Fastify's Ajv already carries ajv-formats; the options are the contracts' own.
    ajv: { customOptions: ajvOptions },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });
  const metrics = deps.metrics ?? createMetricsRegistry('ingest-api');
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
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  await app.register(problem, { bodyLimit: deps.bodyLimit });
  await app.register(jsonBody);
  await app.register(auth, { apiKeys: deps.apiKeys ?? new Map() });
  await app.register(openApi, { version: deps.version ?? '0.1.0' });
  await app.register(healthRoutes, { health: deps.health, metrics });
  const service = new MessageService({
    publisher: deps.publisher,
    logger: deps.logger,
    ...(deps.idempotency ? { idempotency: deps.idempotency } : {}),
    ...(deps.idempotencyWaitMs === undefined ? {} : { idempotencyWaitMs: deps.idempotencyWaitMs }),
  });
  await app.register(northRoutes, { prefix: '/v1', service });
  await app.register(messagesRoutes, { prefix: '/v1', reader: deps.reader });
  await app.register(replaysRoutes, { prefix: '/v1', service: new ReplayService(deps.failed, deps.publisher) });
  return app;
}
