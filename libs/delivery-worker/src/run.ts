/**
 * runChannelWorker(): one channel worker process. A BullMQ worker on the channel queue runs the
 * app's processor; the outcomes of deliver() map onto BullMQ:
 *   RetryLaterError      -> rethrown; the `herald` backoff strategy uses its delay
 *   SendHeldError        -> the job moves to delayed until the other worker's lease ends (no attempt spent)
 *   DeliveryFailedError  -> UnrecoverableError (no retry; the job stays in the failed set, capped,
 *                           and tracking keeps the delivery as failed with its reason)
 * A job that BullMQ itself gives up on (stalled too often) is reported failed here, so that no
 * delivery is left without a final status.
 *
 * Drain on SIGTERM: the worker stops taking jobs and finishes the ones in hand, then the provider,
 * the Kafka producer, Redis and the database close, in that order.
 */
import { hostname } from 'node:os';
import { ContractViolationError, type Channel, type DeliveryJob, type QueueName } from '@herald/contracts';
import { DeliveryFailedError, SendHeldError, recordFailure, type DeliveryOutcome, type DeliveryProvider, type SendLedgerPort, type StatusReporter } from '@herald/delivery';
import { BatchingProducer, DeliveryEventPublisher, createKafka, kafkaSettings } from '@herald/kafka';
import { DelayedError, UnrecoverableError, Worker, createRedis, heraldBackoffStrategy, warnUnlessNoEviction, type Job } from '@herald/queues';
import { Counter, Health, Histogram, Lifecycle, createMetricsRegistry, startHealthServer, type Logger } from '@herald/runtime';
import { SendLedger, createDatabase } from '@herald/tracking';
import { deliveryPolicy, type DeliveryWorkerConfig } from './config';

export interface ProcessorDeps<J extends DeliveryJob> {
  provider: DeliveryProvider<J>;
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
  provider: DeliveryProvider<J>;
  createProcessor: ProcessorFactory<J>;
}

const processName = `${hostname()}/${process.pid}`;

/** Identifies one processing of one job: the ledger's claim holder. */
export function holderFor(job: { id?: string | undefined }, token: string | undefined): string {
  return `${processName}/${job.id ?? '?'}/${token ?? '-'}`;
}

export async function runChannelWorker<J extends DeliveryJob>(options: ChannelWorkerOptions<J>): Promise<Lifecycle> {
  const { config, logger, channel, queue, provider } = options;
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
  lifecycle.onShutdown('provider', () => provider.close());

  const processor = options.createProcessor({ provider, ledger, reporter, logger, policy });
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
        return outcome;
      } catch (error) {
        if (error instanceof SendHeldError) {
          outcomes.inc({ channel, outcome: 'held' });
          await job.moveToDelayed(error.until.getTime() + 100, token);
          throw new DelayedError();
        }
        if (error instanceof DeliveryFailedError) {
          outcomes.inc({ channel, outcome: 'failed' });
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        if (error instanceof ContractViolationError) {
          outcomes.inc({ channel, outcome: 'invalid' });
          log().error({ err: error }, 'job breaks its contract; it cannot succeed');
          throw new UnrecoverableError(error.message);
        }
        outcomes.inc({ channel, outcome: 'retry' });
        log().info({ err: error, attemptsMade: job.attemptsMade }, 'delivery attempt failed; will retry');
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
    void recordFailure(target, { code: 'WORKER_GAVE_UP', message: err.message, permanent: true }, { ledger, reporter }, () => new Date())
      .catch((e: unknown) => logger.error({ err: e, jobId: job.id }, 'could not record a job BullMQ gave up on'));
  });
  lifecycle.onShutdown('worker', () => worker.close());
  logger.info({ queue, concurrency: config.WORKER_CONCURRENCY, provider: provider.name }, `${options.service} running`);
  return lifecycle;
}
