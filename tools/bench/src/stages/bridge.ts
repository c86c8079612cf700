/**
 * Stage 2, bridge: north-updates is preloaded with message.accepted records (the message mix);
 * then the bare kafkajs consumer + BullMQ addBulk baseline drains it (its own consumer group and
 * queue prefix), then the kafka-bridge does (its own group): records the messages in tracking,
 * adds NotificationQueue jobs, and its main queue processor routes them to EmailQueue / SmsQueue
 * and reports "queued". The figure is queued deliveries (jobs waiting in EmailQueue + SmsQueue)
 * per second over the measured window.
 */
import { Headers, NORTH_EVENT_VERSION, Queues, Topics, newMessageId, topicName, type MessageAcceptedEvent } from '@herald/contracts';
import { createKafka } from '@herald/kafka';
import { Queue, createRedis } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { freePort, type HeraldStack } from '@herald/testing';
import { stageScope, startProc, startService, startStack, type BenchContext } from '../context';
import { mixRequests } from '../mix';
import { INFRA_GROUPS, ResourceMonitor } from '../resources';
import type { StageResult } from '../results';
import { ratio } from '../stats';
import { measureDrain, sideDetail } from './measure';

const silent = createLogger({ service: 'bench', level: 'silent' });

/** Writes `count` accepted-message records to north-updates; returns the deliveries they ask for. */
export async function preloadNorth(ctx: BenchContext, stack: HeraldStack, count: number): Promise<number> {
  const kafka = createKafka({ brokers: stack.services.kafkaBrokers, clientId: 'bench-preload' }, silent);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const topic = topicName(Topics.North, stack.topicPrefix);
  const requests = mixRequests(ctx.options.mix, count);
  let deliveries = 0;
  try {
    for (let i = 0; i < count; i += 2_000) {
      const messages = requests.slice(i, i + 2_000).map((request) => {
        deliveries += request.channels.length;
        const acceptedAt = new Date();
        const event: MessageAcceptedEvent = { v: NORTH_EVENT_VERSION, kind: 'message.accepted', messageId: newMessageId(acceptedAt.getTime()), acceptedAt: acceptedAt.toISOString(), client: 'default', request };
        return { key: event.messageId, value: JSON.stringify(event), headers: { [Headers.SchemaVersion]: String(NORTH_EVENT_VERSION) } };
      });
      await producer.send({ topic, acks: -1, messages });
      ctx.progress.update(`[bridge] preloading north-updates: ${Math.min(count, i + 2_000).toLocaleString('en-US')} of ${count.toLocaleString('en-US')} records`);
    }
  } finally {
    await producer.disconnect();
  }
  return deliveries;
}

export async function runBridge(ctx: BenchContext): Promise<StageResult> {
  const scope = stageScope(ctx, 'bridge');
  try {
    ctx.progress.update('[bridge] preparing');
    const stack = await startStack(ctx, scope, 'bridge');
    const records = Math.round(Math.min(200_000, Math.max(20_000, 6_000 * (ctx.options.warmupS + ctx.options.durationS))));
    const deliveries = await preloadNorth(ctx, stack, records);
    const redis = createRedis(stack.services.redisUrl, 'producer', silent);
    scope.add('redis', () => redis.quit());
    const queued = (prefix: string) => {
      const queues = [new Queue(Queues.Email, { connection: redis, prefix }), new Queue(Queues.Sms, { connection: redis, prefix })];
      scope.add(`queues ${prefix}`, () => Promise.allSettled(queues.map((q) => q.close())));
      // Channel jobs carry priorities (fair share): BullMQ keeps them in its prioritized set, not the wait list.
      return async () => (await Promise.all(queues.map(async (q) => (await q.getWaitingCount()) + (await q.getPrioritizedCount())))).reduce((s, n) => s + n, 0);
    };
    const pids: { herald?: number | undefined; bare?: number | undefined } = {};
    const monitor = new ResourceMonitor({ 'kafka-bridge': { roots: () => [pids.herald] }, 'bare-bridge': { roots: () => [pids.bare] }, ...INFRA_GROUPS }).start();
    scope.add('monitor', () => monitor.stop());

    const healthPort = await freePort();
    const bareProc = await startProc(
      scope,
      stack.name,
      'bridge-baseline',
      [
        '--brokers', stack.services.kafkaBrokers.join(','),
        '--topic', topicName(Topics.North, stack.topicPrefix),
        '--group', `${stack.topicPrefix}.bench-bare-bridge`,
        '--redis', stack.services.redisUrl,
        '--prefix', `${stack.queuePrefix}:bare`,
        '--concurrency', '3',
        '--health-port', String(healthPort),
      ],
      `http://127.0.0.1:${healthPort}/`,
      (pid) => {
        pids.bare = pid;
        monitor.sample();
      },
    );
    const bare = await measureDrain(ctx, 'bridge: bare kafkajs + addBulk', queued(`${stack.queuePrefix}:bare`), { total: deliveries, unit: 'deliveries queued', readyAt: Date.now() });
    monitor.sample();
    await bareProc.stop();

    await startService(ctx, scope, stack, 'kafka-bridge', {}, (pid) => {
      pids.herald = pid;
      monitor.sample();
    });
    const measured = await measureDrain(ctx, 'bridge: kafka-bridge', queued(stack.queuePrefix), { total: deliveries, unit: 'deliveries queued', readyAt: Date.now() });
    monitor.stop();
    return {
      value: measured.rate,
      baseline: bare.rate,
      ratio: ratio(measured.rate, bare.rate),
      unit: 'deliveries/s',
      herald: sideDetail(measured, monitor, 'kafka-bridge'),
      bare: sideDetail(bare, monitor, 'bare-bridge'),
      baseline_is: 'bare kafkajs consumer group (3 partitions at once), JSON.parse, one EmailQueue/SmsQueue job per delivery via BullMQ Queue.addBulk per batch; no validation, tracking, NotificationQueue or status events',
    };
  } finally {
    const failures = await scope.close();
    ctx.problems.push(...failures.map((f) => `bridge cleanup: ${f}`));
  }
}
