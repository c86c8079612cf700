/**
 * runChannelWorker(): one channel worker process. A BullMQ worker on the channel queue runs the
 * app's processor; the outcomes of deliver() map onto BullMQ:
 *   RetryLaterError      -> rethrown; the `herald` backoff strategy uses its delay; the job notes
 *                           the provider that failed, so the next attempt prefers another
 *   SendHeldError        -> the job moves to delayed until the other worker's lease ends (no attempt spent)
 *   ProvidersUnavailableError -> delayed until a provider can take it (breakers open, a pause
 *                           after a 429, a rate limit): no attempt spent
 *   DeliveryFailedError  -> UnrecoverableError (no retry; the job stays in the failed set, capped,
 *                           and tracking keeps the delivery as failed with its reason)
 * A job that BullMQ itself gives up on (stalled too often) is reported failed here, so that no
 * delivery is left without a final status. A job that leaves the queue for good leaves its
 * client's fair-share backlog (FairShare.done).
 *
 * Drain on SIGTERM: the worker stops taking jobs and finishes the ones in hand, then the provider,
 * the Kafka producer, Redis and the database close, in that order.
 */
import { hostname } from 'node:os';
import { ContractViolationError, type Channel, type DeliveryJob, type QueueName } from '@herald/contracts';
import {
  DeliveryFailedError,
  ProviderRouter,
  ProvidersUnavailableError,
  RetryLaterError,
  SendHeldError,
  recordFailure,
  type DeliveryOutcome,
  type DeliveryProvider,
  type SendLedgerPort,
  type StatusReporter,
} from '@herald/delivery';
import { BatchingProducer, DeliveryEventPublisher, createKafka, kafkaSettings } from '@herald/kafka';
import { DelayedError, FairShare, RedisProviderState, UnrecoverableError, Worker, createRedis, heraldBackoffStrategy, warnUnlessNoEviction, type Job } from '@herald/queues';
import { Counter, Gauge, Health, Histogram, Lifecycle, createMetricsRegistry, startHealthServer, type Logger } from '@herald/runtime';
import { SendLedger, createDatabase } from '@herald/tracking';
import { deliveryPolicy, namedNumbers, type DeliveryWorkerConfig } from './config';

export interface ProcessorDeps<J extends DeliveryJob> {
  router: ProviderRouter<J>;
  ledger: SendLedgerPort;
  reporter: StatusReporter;
  logger: Logger;
}

/** The app's processor: `(job, token, signal) => outcome`, built from its dependencies. */
export type ProcessorFactory<J extends DeliveryJob> = (
  deps: ProcessorDeps<J> & { policy: ReturnType<typeof deliveryPolicy> },
) => (job: { id?: string | undefined; data: unknown }, token?: string, signal?: AbortSignal) => Promise<DeliveryOutcome>;

export interface ChannelWorkerOptions<J extends DeliveryJob> {
  service: string;
  channel: Channel;
  queue: QueueName;
  config: DeliveryWorkerConfig;
  logger: Logger;
  /** The channel's providers in failover order (EMAIL_PROVIDERS, SMS_PROVIDERS). */
  providers: ReadonlyArray<DeliveryProvider<J>>;
  createProcessor: ProcessorFactory<J>;
}

const processName = `${hostname()}/${process.pid}`;

/** Identifies one processing of one job: the ledger's claim holder. */
export function holderFor(job: { id?: string | undefined }, token: string | undefined): string {
  return `${processName}/${job.id ?? '?'}/${token ?? '-'}`;
}

export async function runChannelWorker<J extends DeliveryJob>(options: ChannelWorkerOptions<J>): Promise<Lifecycle> {
  const { config, logger, channel, queue, providers } = options;
  const policy = deliveryPolicy(config);
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const health = new Health();
  lifecycle.onDraining(() => health.setDraining());
  const metrics = createMetricsRegistry(options.service);
  const outcomes = new Counter({ name: 'herald_deliveries_total', help: 'Delivery attempts by outcome.', labelNames: ['channel', 'outcome'], registers: [metrics] });
  const duration = new Histogram({
    name: 'herald_delivery_duration_seconds',
    help: 'Time to process one delivery job.',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics],
  });
  const healthServer = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, health, metrics, logger });
  lifecycle.onShutdown('health server', () => healthServer.close());

  const { sql, close: closeDatabase } = createDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  lifecycle.onShutdown('database', closeDatabase);
  const ledger = new SendLedger(sql);
  health.addReadinessCheck('database', async () => {
    await sql.query('SELECT 1', []);
  });

  const redis = createRedis(config.REDIS_URL, 'worker', logger);
  lifecycle.onShutdown('redis', async () => {
    await redis.quit().catch(() => undefined);
  });
  await warnUnlessNoEviction(redis, logger);
  health.addReadinessCheck('redis', async () => {
    await redis.ping();
  });

  const kafka = createKafka(kafkaSettings(config), logger);
  const producer = new BatchingProducer(kafka, { logger });
  producer.connectInBackground();
  lifecycle.onShutdown('kafka producer', () => producer.close());
  health.addReadinessCheck('kafka', async () => {
    if (!producer.isConnected) throw new Error('producer not connected');
  });
  const reporter = new DeliveryEventPublisher(producer, config.KAFKA_TOPIC_PREFIX);
  lifecycle.onShutdown('providers', async () => {
    await Promise.allSettled(providers.map((p) => p.close()));
  });

  const breakerState = new Gauge({ name: 'herald_provider_breaker_open', help: 'Circuit breaker per provider: 1 open, 0.5 half-open, 0 closed.', labelNames: ['channel', 'provider'], registers: [metrics] });
  for (const p of providers) breakerState.set({ channel, provider: p.name }, 0);
  const weights = namedNumbers(config.PROVIDER_WEIGHTS);
  const router = new ProviderRouter<J>({
    providers: providers.map((provider) => ({ provider, weight: weights.get(provider.name) ?? 0 })),
    state: new RedisProviderState(redis, { prefix: config.QUEUE_PREFIX, channel, rates: namedNumbers(config.PROVIDER_RATE_LIMITS), cacheMs: config.PROVIDER_STATE_CACHE_MS, openMs: config.BREAKER_OPEN_MS }),
    breaker: {
      consecutiveFailures: config.BREAKER_FAILURES,
      errorRatePercent: config.BREAKER_ERROR_RATE_PERCENT,
      windowMs: config.BREAKER_WINDOW_MS,
      minCalls: config.BREAKER_MIN_CALLS,
      openMs: config.BREAKER_OPEN_MS,
    },
    log: logger.child({ component: 'router', channel }),
    onBreakerChange: (provider, state) => breakerState.set({ channel, provider }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0),
  });
  const fairShare = new FairShare(redis, config.QUEUE_PREFIX);
  // After the worker has finished its jobs (steps run in reverse), before Redis closes.
  lifecycle.onShutdown('fair-share counters', () => fairShare.flush());
  const leaveBacklog = (job: Job) => {
    void fairShare.done(queue, (job.data as Partial<DeliveryJob>).client).catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'could not update the fair-share backlog'));
  };

  const processor = options.createProcessor({ router, ledger, reporter, logger, policy });
  const worker = new Worker(
    queue,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      // The job's logger, made only when something is logged (most jobs log nothing at info).
      const log = () => logger.child({ jobId: job.id, queue, messageId: (job.data as Partial<DeliveryJob>).messageId, deliveryId: (job.data as Partial<DeliveryJob>).deliveryId });
      const stop = duration.startTimer({ channel });
      try {
        const outcome = await processor(job, token, signal);
        outcomes.inc({ channel, outcome: outcome.kind });
        if (logger.isLevelEnabled('debug')) log().debug({ outcome }, 'delivery processed');
        leaveBacklog(job);
        return outcome;
      } catch (error) {
        if (error instanceof SendHeldError) {
          outcomes.inc({ channel, outcome: 'held' });
          await job.moveToDelayed(error.until.getTime() + 100, token);
          throw new DelayedError();
        }
        if (error instanceof ProvidersUnavailableError) {
          outcomes.inc({ channel, outcome: 'waiting' });
          if (logger.isLevelEnabled('debug')) log().debug({ until: error.until, reason: error.reason }, 'no provider can take the delivery now; waiting');
          await job.moveToDelayed(Math.max(Date.now() + 50, error.until.getTime()), token);
          throw new DelayedError();
        }
        if (error instanceof DeliveryFailedError) {
          outcomes.inc({ channel, outcome: 'failed' });
          leaveBacklog(job);
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        if (error instanceof ContractViolationError) {
          outcomes.inc({ channel, outcome: 'invalid' });
          log().error({ err: error }, 'job breaks its contract; it cannot succeed');
          leaveBacklog(job);
          throw new UnrecoverableError(error.message);
        }
        outcomes.inc({ channel, outcome: 'retry' });
        log().info({ err: error, attemptsMade: job.attemptsMade }, 'delivery attempt failed; will retry');
        // Failover: the next attempt prefers another provider than the one that just failed.
        if (error instanceof RetryLaterError && error.provider && providers.length > 1) {
          const data = job.data as DeliveryJob;
          await job.updateData({ ...data, routing: { avoid: error.provider } }).catch((err: unknown) => log().warn({ err }, 'could not note the failed provider on the job'));
        }
        throw error;
      } finally {
        stop();
      }
    },
    {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.LOCK_DURATION_MS,
      stalledInterval: config.STALLED_INTERVAL_MS,
      maxStalledCount: 10,
      settings: { backoffStrategy: heraldBackoffStrategy(policy.backoff) },
    },
  );
  worker.on('error', (err) => logger.error({ err, queue }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (!job || !job.finishedOn || err instanceof UnrecoverableError) return;
    // BullMQ gave up on its own (stalled too often, or out of attempts): make the failure durable.
    const data = job.data as Partial<DeliveryJob>;
    if (!data.deliveryId || !data.messageId || data.generation === undefined) return;
    const target = { messageId: data.messageId, deliveryId: data.deliveryId, channel, generation: data.generation };
    leaveBacklog(job);
    void recordFailure(target, { code: 'WORKER_GAVE_UP', message: 'the worker gave up on the job (it stalled too often)', permanent: true }, { ledger, reporter }, () => new Date())
      .catch((e: unknown) => logger.error({ err: e, jobId: job.id, reason: err.message }, 'could not record a job BullMQ gave up on'));
  });
  lifecycle.onShutdown('worker', () => worker.close());
  logger.info({ queue, concurrency: config.WORKER_CONCURRENCY, providers: providers.map((p) => p.name) }, `${options.service} running`);
  return lifecycle;
}
