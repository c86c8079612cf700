/**
 * Wires the webhook-worker process:
 *   south-updates (consumer group herald-webhooks) -> fan-out -> WebhookQueue (addBulk, then commit)
 *   WebhookQueue -> the processor: signed POST to the endpoint, attempt recorded, retried on the schedule
 * plus the per-endpoint caps, the attempt pruner, health, metrics and the drain.
 *
 * The processor's outcomes map onto BullMQ:
 *   wait (over an endpoint's cap)  -> moved to delayed (no attempt spent), DelayedError
 *   RetryWebhookError              -> rethrown; the `herald` backoff strategy uses its delay
 *   WebhookFailedError             -> UnrecoverableError (the job stays in the failed set, capped;
 *                                     the attempt is in tracking as failed, replayable)
 * A job BullMQ itself gives up on (stalled too often) is recorded as a failed attempt here.
 *
 * Drain on SIGTERM (reverse of start): the pruner stops, the consumer finishes and commits the
 * batch in hand, the worker stops taking jobs and finishes the calls in flight, then the HTTP
 * agent, the queue, Redis and the database close.
 */
import { hostname } from 'node:os';
import { ConsumerGroups, Queues, Topics, groupName, newMessageId, topicName, type WebhookJob } from '@herald/contracts';
import { BatchConsumer, createKafka, kafkaReadinessCheck, kafkaSettings } from '@herald/kafka';
import { DEFAULT_RETENTION, DelayedError, UnrecoverableError, Worker, createQueue, createRedis, deliveryJobOptions, heraldBackoffStrategy, queueBacklog, waitUntilReady, warnUnlessNoEviction, type Job } from '@herald/queues';
import { Counter, Gauge, Health, Histogram, Lifecycle, createMetricsRegistry, startHealthServer, type Logger } from '@herald/runtime';
import { WebhookRepository, createDatabase } from '@herald/tracking';
import { SecretBox, createLookupAll, maxCalls, scheduleSpanMs } from '@herald/webhooks';
import { scheduleOf, type WebhookWorkerConfig } from './config';
import { EndpointCache } from './endpoint-cache';
import { createFanOutHandler } from './fanout/fanout-handler';
import { WebhookSender } from './http/sender';
import { EndpointCaps } from './limits';
import { RetryWebhookError, WebhookFailedError, createWebhookProcessor } from './processors/webhook-processor';
import { AttemptPruner } from './pruner';

export async function runWebhookWorker(config: WebhookWorkerConfig, logger: Logger): Promise<Lifecycle> {
  const schedule = scheduleOf(config);
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const health = new Health();
  lifecycle.onDraining(() => health.setDraining());
  const metrics = createMetricsRegistry('webhook-worker');
  const calls = new Counter({ name: 'herald_webhook_calls_total', help: 'Webhook jobs processed, by outcome.', labelNames: ['outcome'], registers: [metrics] });
  const added = new Counter({ name: 'herald_webhook_jobs_added_total', help: 'Webhook jobs added by the fan-out of south-updates.', registers: [metrics] });
  const duration = new Histogram({
    name: 'herald_webhook_job_duration_seconds',
    help: 'Time to process one webhook job (the call and its record).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics],
  });
  const healthServer = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, health, metrics, logger });
  lifecycle.onShutdown('health server', () => healthServer.close());

  const database = createDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  lifecycle.onShutdown('database', () => database.close());
  const repository = new WebhookRepository(database.sql);
  health.addReadinessCheck('database', async () => {
    await database.sql.query('SELECT 1', []);
  });

  const producerRedis = createRedis(config.REDIS_URL, 'producer', logger);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', logger);
  lifecycle.onShutdown('redis', async () => {
    await Promise.allSettled([producerRedis.quit(), workerRedis.quit()]);
  });
  await waitUntilReady(producerRedis, 30_000);
  await warnUnlessNoEviction(producerRedis, logger);
  health.addReadinessCheck('redis', async () => {
    await producerRedis.ping();
  });

  const retention = { ...DEFAULT_RETENTION, keepCompleted: config.KEEP_COMPLETED_JOBS, keepFailed: config.KEEP_FAILED_JOBS };
  const queue = createQueue<WebhookJob>(Queues.Webhook, { connection: producerRedis, prefix: config.QUEUE_PREFIX, defaultJobOptions: deliveryJobOptions(retention) });
  queue.on('error', (err) => logger.debug({ err }, 'webhook queue connection error'));
  lifecycle.onShutdown('queue', () => queue.close());
  new Gauge({
    name: 'herald_webhook_backlog',
    help: 'Webhook jobs waiting or delayed (retries included).',
    registers: [metrics],
    async collect() {
      this.set(await queueBacklog(queue).catch(() => 0));
    },
  });

  const rules = { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS };
  if (rules.allowPrivate) logger.warn('WEBHOOK_ALLOW_PRIVATE_TARGETS=true: webhooks may go to loopback and private addresses; for local use only');
  const sender = new WebhookSender({
    rules,
    lookupAll: createLookupAll({ servers: config.WEBHOOK_DNS_SERVERS, timeoutMs: Math.min(5_000, config.WEBHOOK_TIMEOUT_MS) }),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    userAgent: 'Herald-Webhooks/1 (+https://www.standardwebhooks.com)',
  });
  lifecycle.onShutdown('http agent', () => sender.close());

  const box = new SecretBox(config.WEBHOOK_SECRETS_KEY);
  const endpoints = new EndpointCache((id) => repository.signingEndpoint(id), box, config.WEBHOOK_ENDPOINT_CACHE_MS);
  const caps = new EndpointCaps({
    redis: producerRedis,
    keyPrefix: config.QUEUE_PREFIX,
    concurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY,
    ratePerSec: config.WEBHOOK_ENDPOINT_RATE_PER_SEC,
    leaseMs: config.WEBHOOK_TIMEOUT_MS + 10_000,
    logger,
  });
  const processor = createWebhookProcessor({
    endpoint: (id) => endpoints.get(id),
    forget: (id) => endpoints.invalidate(id),
    admit: (id) => caps.admit(id),
    send: (url, headers, body) => sender.send(url, headers, body),
    record: (attempt, succeeded) => repository.recordAttempt(attempt, succeeded),
    disable: (id, reason) => repository.disable(id, reason),
    schedule,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
    newId: () => newMessageId(),
    now: () => new Date(),
    logger,
  });

  const worker = new Worker<WebhookJob>(
    Queues.Webhook,
    async (job: Job<WebhookJob>, token?: string) => {
      const log = () => logger.child({ jobId: job.id, webhookId: job.data.webhookId, endpointId: job.data.endpointId, messageId: messageOf(job.data), deliveryId: deliveryOf(job.data) });
      const stop = duration.startTimer();
      try {
        const outcome = await processor(job);
        if (outcome.kind === 'wait') {
          calls.inc({ outcome: 'waited' });
          await job.moveToDelayed(Date.now() + outcome.ms, token);
          throw new DelayedError();
        }
        calls.inc({ outcome: outcome.kind });
        if (logger.isLevelEnabled('debug')) log().debug({ outcome }, 'webhook processed');
        return outcome;
      } catch (error) {
        if (error instanceof DelayedError) throw error;
        if (error instanceof RetryWebhookError) {
          calls.inc({ outcome: 'retrying' });
          log().info({ reason: error.message, attempt: job.attemptsMade + 1, retryInMs: error.retryDelayMs }, 'webhook call failed; will retry');
          throw error;
        }
        if (error instanceof WebhookFailedError) {
          calls.inc({ outcome: 'failed' });
          log().warn({ reason: error.message, attempt: job.attemptsMade + 1 }, 'webhook failed for good (replayable)');
          throw new UnrecoverableError(error.message);
        }
        calls.inc({ outcome: 'error' });
        log().error({ err: error, attempt: job.attemptsMade + 1 }, 'webhook job failed unexpectedly; will retry');
        throw error;
      } finally {
        stop();
      }
    },
    {
      connection: workerRedis,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.LOCK_DURATION_MS,
      stalledInterval: config.STALLED_INTERVAL_MS,
      maxStalledCount: 10,
      settings: { backoffStrategy: heraldBackoffStrategy({ baseMs: schedule.delaysMs[0] ?? 5_000, maxMs: Math.max(...schedule.delaysMs, 5_000), jitter: schedule.jitter }) },
    },
  );
  worker.on('error', (err) => logger.error({ err, queue: Queues.Webhook }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (!job?.finishedOn || err instanceof UnrecoverableError || err.name === 'UnrecoverableError') return;
    // BullMQ gave up on its own (stalled too often, or past its attempts): keep the event replayable.
    const data = job.data;
    void repository
      .recordAttempt(
        { id: newMessageId(), endpointId: data.endpointId, webhookId: data.webhookId, eventType: data.payload.type, messageId: messageOf(data), deliveryId: deliveryOf(data), attempt: job.attemptsMade + 1, status: 'failed', responseStatus: null, error: `WORKER_GAVE_UP: ${err.message}`.slice(0, 500), response: null, durationMs: null, nextAttemptAt: null, replayOf: data.replayOf ?? null, payload: data.payload },
        null,
      )
      .catch((e: unknown) => logger.error({ err: e, jobId: job.id }, 'could not record a webhook job BullMQ gave up on'));
  });
  lifecycle.onShutdown('worker', () => worker.close());

  // The fan-out: south-updates -> WebhookQueue.
  const kafka = createKafka(kafkaSettings(config), logger);
  const southTopic = topicName(Topics.South, config.KAFKA_TOPIC_PREFIX);
  const kafkaProbe = kafkaReadinessCheck(kafka, [southTopic]);
  lifecycle.onShutdown('kafka probe', () => kafkaProbe.close());
  const consumer = new BatchConsumer(kafka, {
    groupId: groupName(ConsumerGroups.Webhooks, config.KAFKA_TOPIC_PREFIX),
    topics: [southTopic],
    logger: logger.child({ topic: southTopic }),
    maxBatchRecords: config.WEBHOOK_BATCH_SIZE,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    handler: createFanOutHandler({
      targets: (ids) => repository.fanOutTargets(ids),
      enqueue: async (jobs) => {
        for (let i = 0; i < jobs.length; i += 1_000) {
          await queue.addBulk(jobs.slice(i, i + 1_000).map((j) => ({ name: j.data.payload.type, data: j.data, opts: { jobId: j.jobId } })));
        }
      },
      onBatch: (stats) => added.inc(stats.jobs),
      logger: logger.child({ topic: southTopic }),
    }),
  });
  health.addReadinessCheck('kafka', async () => {
    if (!consumer.consuming) throw new Error('the consumer is not consuming (not running, or not in its group yet)');
    await kafkaProbe.check();
  });
  consumer.startInBackground();
  lifecycle.onShutdown('south consumer', () => consumer.stop());

  const pruner = new AttemptPruner((before, batch) => repository.pruneAttempts(before, batch), config.WEBHOOK_ATTEMPTS_RETENTION_DAYS * 86_400_000, logger.child({ component: 'pruner' }));
  pruner.start();
  lifecycle.onShutdown('pruner', () => pruner.stop());

  logger.info(
    { southTopic, queuePrefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY, calls: maxCalls(schedule), retriesOverMs: scheduleSpanMs(schedule), host: hostname() },
    'webhook-worker running',
  );
  return lifecycle;
}

function messageOf(data: WebhookJob): string | null {
  return data.payload.type === 'webhook.test' ? null : data.payload.data.messageId;
}

function deliveryOf(data: WebhookJob): string | null {
  return data.payload.type === 'webhook.test' ? null : data.payload.data.deliveryId;
}
