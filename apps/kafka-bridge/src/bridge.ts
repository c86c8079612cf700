/**
 * Wires the kafka-bridge process: the north consumer (north-updates -> tracking + NotificationQueue),
 * the main queue processor (NotificationQueue -> EmailQueue / SmsQueue), and the south consumer
 * (south-updates -> tracking), plus health, metrics and the drain.
 *
 * Alongside: backpressure (pause north-updates while the queues are deep) and the reconciler
 * (route again deliveries that are stuck, e.g. because Redis lost their job).
 *
 * Drain order on SIGTERM (reverse of start): stop the reconciler, backpressure and both consumers
 * (each consumer finishes and commits the batch in hand), close the worker (finishes the jobs in
 * hand), then close queues, producer, Redis and the database.
 */
import { ConsumerGroups, Queues, Topics, groupName, topicName, type EmailJob, type NotificationBatchJob, type NotificationJob, type SmsJob } from '@herald/contracts';
import { BatchConsumer, BatchingProducer, DeadLetterPublisher, DeliveryEventPublisher, createKafka, kafkaReadinessCheck, kafkaSettings } from '@herald/kafka';
import { DEFAULT_RETENTION, FairShare, Worker, createQueue, createRedis, deliveryJobOptions, jobOptions, queueBacklog, waitUntilReady, warnUnlessNoEviction } from '@herald/queues';
import { Gauge, Health, Lifecycle, createMetricsRegistry, startHealthServer, type Logger } from '@herald/runtime';
import { ReplayRepository, TrackingService, createDatabase } from '@herald/tracking';
import { Backpressure } from './backpressure';
import type { BridgeConfig } from './config';
import { createNorthHandler } from './north/north-handler';
import { createMainQueueProcessor, createRouter } from './processors/main-queue-processor';
import { Reconciler } from './reconciler';
import { createSouthHandler } from './south/south-handler';

export async function runBridge(config: BridgeConfig, logger: Logger): Promise<Lifecycle> {
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const health = new Health();
  lifecycle.onDraining(() => health.setDraining());
  const metrics = createMetricsRegistry('kafka-bridge');
  const healthServer = await startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, health, metrics, logger });
  lifecycle.onShutdown('health server', () => healthServer.close());

  // Connections.
  const database = createDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  lifecycle.onShutdown('database', database.close);
  const tracking = new TrackingService(database, logger);
  const replays = new ReplayRepository(database.prisma);
  health.addReadinessCheck('database', () => tracking.ping());

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

  const kafka = createKafka(kafkaSettings(config), logger);
  const producer = new BatchingProducer(kafka, { logger });
  producer.connectInBackground();
  lifecycle.onShutdown('kafka producer', () => producer.close());
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const northTopic = topicName(Topics.North, prefix);
  const southTopic = topicName(Topics.South, prefix);
  const kafkaProbe = kafkaReadinessCheck(kafka, [northTopic, southTopic]);
  lifecycle.onShutdown('kafka probe', () => kafkaProbe.close());

  // Queues.
  const retention = { ...DEFAULT_RETENTION, keepCompleted: config.KEEP_COMPLETED_JOBS, keepFailed: config.KEEP_FAILED_JOBS };
  const queueSettings = { connection: producerRedis, prefix: config.QUEUE_PREFIX };
  const notificationQueue = createQueue<NotificationBatchJob | NotificationJob>(Queues.Notification, {
    ...queueSettings,
    defaultJobOptions: jobOptions({ attempts: 25, backoffMs: 500, jitter: 0.5 }, retention),
  });
  const emailQueue = createQueue<EmailJob>(Queues.Email, { ...queueSettings, defaultJobOptions: deliveryJobOptions(retention) });
  const smsQueue = createQueue<SmsJob>(Queues.Sms, { ...queueSettings, defaultJobOptions: deliveryJobOptions(retention) });
  lifecycle.onShutdown('queues', async () => {
    await Promise.allSettled([notificationQueue.close(), emailQueue.close(), smsQueue.close()]);
  });

  // The main queue processor.
  const reporter = new DeliveryEventPublisher(producer, prefix);
  const routing = { email: emailQueue, sms: smsQueue, reporter, fairShare: new FairShare(producerRedis, config.QUEUE_PREFIX) };
  const processor = createMainQueueProcessor(routing);
  const worker = new Worker(Queues.Notification, (job) => processor(job), {
    connection: workerRedis,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.MAIN_QUEUE_CONCURRENCY,
    maxStalledCount: 10,
  });
  worker.on('error', (err) => logger.error({ err, queue: Queues.Notification }, 'worker error'));
  worker.on('failed', (job, err) => {
    const data = job?.data as Partial<NotificationJob & NotificationBatchJob> | undefined;
    logger.warn({ err, jobId: job?.id, ...(data?.messageId ? { messageId: data.messageId } : { messages: data?.messages?.length }), attemptsMade: job?.attemptsMade, queue: Queues.Notification }, 'routing attempt failed');
  });
  lifecycle.onShutdown('main queue worker', () => worker.close());

  // The consumers.
  const north = new BatchConsumer(kafka, {
    groupId: groupName(ConsumerGroups.Bridge, prefix),
    topics: [northTopic],
    logger: logger.child({ topic: northTopic }),
    maxBatchRecords: config.NORTH_BATCH_SIZE,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    handler: createNorthHandler({
      tracking: { recordAccepted: (events) => tracking.recordAccepted(events), applyReplay: (targets, since) => replays.applyReplay(targets, since) },
      notificationQueue,
      deadLetter: new DeadLetterPublisher(producer, topicName(Topics.NorthDeadLetter, prefix)),
      logger: logger.child({ topic: northTopic }),
    }),
  });
  const south = new BatchConsumer(kafka, {
    groupId: groupName(ConsumerGroups.Tracking, prefix),
    topics: [southTopic],
    logger: logger.child({ topic: southTopic }),
    maxBatchRecords: config.SOUTH_BATCH_SIZE,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    handler: createSouthHandler({
      tracking,
      republish: reporter,
      deadLetter: new DeadLetterPublisher(producer, topicName(Topics.SouthDeadLetter, prefix)),
      logger: logger.child({ topic: southTopic }),
    }),
  });
  health.addReadinessCheck('kafka', async () => {
    if (!producer.isConnected) throw new Error('producer not connected');
    if (!north.consuming || !south.consuming) throw new Error('a consumer is not consuming (not running, or not in its group yet)');
    await kafkaProbe.check();
  });
  north.startInBackground();
  south.startInBackground();
  lifecycle.onShutdown('north consumer', () => north.stop());
  lifecycle.onShutdown('south consumer', () => south.stop());

  const backlogGauge = new Gauge({ name: 'herald_queue_backlog', help: 'Jobs waiting in the queues (backpressure input).', registers: [metrics] });
  const backpressure = new Backpressure({
    high: config.BACKPRESSURE_HIGH_WATERMARK,
    low: Math.min(config.BACKPRESSURE_LOW_WATERMARK, config.BACKPRESSURE_HIGH_WATERMARK - 1),
    intervalMs: config.BACKPRESSURE_CHECK_MS,
    measure: async () => {
      const counts = await Promise.all([notificationQueue, emailQueue, smsQueue].map((q) => queueBacklog(q)));
      const total = counts.reduce((a, b) => a + b, 0);
      backlogGauge.set(total);
      return total;
    },
    pause: () => north.pause(),
    resume: () => north.resume(),
    logger: logger.child({ component: 'backpressure' }),
  });
  backpressure.start();
  lifecycle.onShutdown('backpressure', () => backpressure.stop());

  const reconciler = new Reconciler({
    staleMs: config.RECONCILE_AFTER_MS,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    batch: config.RECONCILE_BATCH,
    claimStale: (staleMs, limit) => replays.claimStale(staleMs, limit),
    route: createRouter(routing),
    logger: logger.child({ component: 'reconciler' }),
  });
  reconciler.start();
  lifecycle.onShutdown('reconciler', () => reconciler.stop());
  new Gauge({
    name: 'herald_reconciled_deliveries',
    help: 'Deliveries routed again by the reconciler since start.',
    registers: [metrics],
    collect() {
      this.set(reconciler.rerouted);
    },
  });
  logger.info({ northTopic, southTopic, queuePrefix: config.QUEUE_PREFIX }, 'kafka-bridge running');
  return lifecycle;
}
