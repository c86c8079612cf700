/**
 * buildApp(config): the receipts endpoint, with nothing listening (server.ts listens; tests use
 * app.inject() or listen on a free port).
 *
 *   POST|GET /providers/{provider}/events   a provider's callback
 *
 * Outside the API-key scope on purpose: each provider authenticates with its own scheme (a
 * signature, basic auth), verified by its ReceiptSource before anything else; a callback that
 * fails verification is refused (401/403/400/415) and changes nothing. A verified callback's
 * receipts are produced to south-updates and acknowledged by Kafka before the provider gets its
 * 2xx (a 503 makes the provider retry); nothing here touches a database, so bursts of thousands of
 * receipts cost one Kafka request per batch of callbacks. The reasons for a refusal go to the log,
 * never into the answer.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { Headers, makeReceiptEvent, RECEIPT_EVENT_VERSION, Topics, topicName, type ReceiptEvent } from '@herald/contracts';
import { BatchingProducer, createKafka, kafkaReadinessCheck, kafkaSettings } from '@herald/kafka';
import { Counter, Health, createMetricsRegistry, isReady, publicReport, type Logger, type Registry } from '@herald/runtime';
import type { ReceiptsConfig } from './config';
import { emailReceiptSources, type EmailReceiptExtras } from './providers/email';
import type { ReceiptRequest, ReceiptSource } from './providers/receipt-source';
import { smsReceiptSources } from './providers/sms';

declare module 'fastify' {
  interface FastifyInstance {
    health: Health;
    metrics: Registry;
  }
}

export interface BuildOptions {
  logger: Logger;
  /** What no variable sets (a CA for the SNS certificate fetch in tests). */
  emailExtras?: EmailReceiptExtras;
}

const problem = (status: number, title: string) => ({ type: 'about:blank', title, status });

/** The receipt's Kafka key: the message id when the provider echoed it (keeps a message's events on one partition), else the provider's id. */
const keyOf = (r: ReceiptEvent) => r.messageId ?? r.providerMessageId;

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

export async function buildApp(config: ReceiptsConfig, options: BuildOptions): Promise<App> {
  const { logger } = options;
  const enabled = new Set<string>(config.RECEIPT_PROVIDERS);
  const sources = new Map<string, ReceiptSource>(
    [...emailReceiptSources(enabled, config, { ...options.emailExtras, log: (line) => logger.info(line) }), ...smsReceiptSources(enabled, config)].map((s) => [s.provider, s]),
  );
  const publicBase = config.RECEIPTS_PUBLIC_URL.replace(/\/+$/, '');

  const app = Fastify<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>({ loggerInstance: logger, bodyLimit: config.BODY_LIMIT_BYTES, requestTimeout: config.REQUEST_TIMEOUT_MS, return503OnClosing: true, http: { connectionsCheckingInterval: 1_000 } });
  const health = new Health(2_000, logger);
  const metrics = createMetricsRegistry('receipts-api');
  app.decorate('health', health);
  app.decorate('metrics', metrics);
  const callbacks = new Counter({ name: 'herald_receipt_callbacks_total', help: 'Provider callbacks by provider and outcome.', labelNames: ['provider', 'outcome'], registers: [metrics] });
  const produced = new Counter({ name: 'herald_receipts_total', help: 'Receipts produced to south-updates by provider and outcome.', labelNames: ['provider', 'outcome'], registers: [metrics] });

  const kafka = createKafka(kafkaSettings(config), logger);
  const producer = new BatchingProducer(kafka, { logger, sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS });
  producer.connectInBackground();
  const southTopic = topicName(Topics.South, config.KAFKA_TOPIC_PREFIX);
  const recordHeaders = { [Headers.SchemaVersion]: String(RECEIPT_EVENT_VERSION) };
  const probe = kafkaReadinessCheck(kafka, [southTopic]);
  health.addReadinessCheck('kafka', async () => {
    if (!producer.isConnected) throw new Error('producer not connected');
    await probe.check();
  });
  app.addHook('onClose', async () => {
    await producer.close();
    await probe.close();
  });

  // Bodies are handed to the receipt sources as bytes: signatures are computed over them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/healthz', async () => ({ status: 'ok' as const }));
  app.get('/readyz', async (_request, reply) => {
    const report = await health.readiness();
    return reply.code(isReady(report) ? 200 : 503).send(publicReport(report));
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));

  const handler = async (request: FastifyRequest<{ Params: { provider: string } }>, reply: FastifyReply) => {
    const source = sources.get(request.params.provider);
    if (!source) {
      callbacks.inc({ provider: 'unknown', outcome: 'not_found' });
      return reply.code(404).type('application/problem+json').send(problem(404, 'No such receipt endpoint'));
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const query: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.query as Record<string, string | string[]>)) query[name] = Array.isArray(value) ? value[0] : value;
    const receiptRequest: ReceiptRequest = {
      provider: source.provider,
      url: `${publicBase}${request.url}`,
      method: request.method,
      headers,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      query,
    };
    const outcome = await source.handle(receiptRequest, AbortSignal.timeout(config.RECEIPT_TIMEOUT_MS));
    if (outcome.kind === 'refused') {
      callbacks.inc({ provider: source.provider, outcome: 'refused' });
      request.log.warn({ provider: source.provider, status: outcome.status, reason: outcome.reason }, 'provider callback refused');
      return reply.code(outcome.status).type('application/problem+json').send(problem(outcome.status, outcome.status === 415 ? 'Unsupported media type' : outcome.status === 400 ? 'Bad request' : 'Not authorized'));
    }
    const receipts = outcome.receipts.map(makeReceiptEvent);
    if (receipts.length) {
      try {
        await producer.send(
          southTopic,
          receipts.map((r) => ({ key: keyOf(r), value: JSON.stringify(r), headers: recordHeaders })),
        );
      } catch (error) {
        callbacks.inc({ provider: source.provider, outcome: 'unavailable' });
        request.log.warn({ err: error, provider: source.provider, receipts: receipts.length }, 'could not produce receipts; the provider will retry');
        return reply.code(503).header('retry-after', '5').type('application/problem+json').send(problem(503, 'Service unavailable'));
      }
      for (const r of receipts) produced.inc({ provider: r.provider, outcome: r.outcome });
    }
    callbacks.inc({ provider: source.provider, outcome: 'accepted' });
    request.log.debug({ provider: source.provider, receipts: receipts.length }, 'provider callback accepted');
    const response = outcome.response ?? { status: 200 };
    void reply.code(response.status);
    if (response.contentType) void reply.type(response.contentType);
    return reply.send(response.body ?? '');
  };
  app.post('/providers/:provider/events', handler);
  app.get('/providers/:provider/events', handler);
  return app;
}
