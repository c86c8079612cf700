/**
 * Where a backlog sits while the whole pipeline runs: the bridge's consumer lag on
 * north-updates and south-updates, and the jobs waiting in NotificationQueue, EmailQueue and
 * SmsQueue. One Kafka admin client and one Redis connection for the whole run.
 */
import { ConsumerGroups, Queues, Topics, groupName, topicName } from '@herald/contracts';
import { createKafka } from '@herald/kafka';
import { Queue, createRedis } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import type { HeraldStack } from '@herald/testing';

export interface PipelineDepth {
  north_lag: number;
  notification_queue: number;
  email_queue: number;
  sms_queue: number;
  south_lag: number;
}

const silent = createLogger({ service: 'bench', level: 'silent' });

export class PipelineProbe {
  private readonly admin;
  private readonly redis;
  private readonly queues: Queue[];
  private connected: Promise<void> | undefined;

  constructor(private readonly stack: HeraldStack) {
    this.admin = createKafka({ brokers: stack.services.kafkaBrokers, clientId: 'bench-probe' }, silent).admin();
    this.redis = createRedis(stack.services.redisUrl, 'producer', silent);
    this.queues = [Queues.Notification, Queues.Email, Queues.Sms].map((name) => new Queue(name, { connection: this.redis, prefix: stack.queuePrefix }));
  }

  private async lag(base: typeof Topics.North | typeof Topics.South, group: string): Promise<number> {
    const topic = topicName(base, this.stack.topicPrefix);
    const [latest, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: groupName(group, this.stack.topicPrefix), topics: [topic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return latest.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Math.max(done.get(p.partition) ?? -1, Number(p.low))), 0);
  }

  async read(): Promise<PipelineDepth> {
    this.connected ??= this.admin.connect();
    await this.connected;
    const [north, waiting, south] = await Promise.all([
      this.lag(Topics.North, ConsumerGroups.Bridge),
      Promise.all(this.queues.map(async (q) => (await q.getWaitingCount()) + (await q.getPrioritizedCount()))),
      this.lag(Topics.South, ConsumerGroups.Tracking),
    ]);
    return { north_lag: north, notification_queue: waiting[0] ?? 0, email_queue: waiting[1] ?? 0, sms_queue: waiting[2] ?? 0, south_lag: south };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.queues.map((q) => q.close()));
    await this.redis.quit().catch(() => undefined);
    if (this.connected) await this.admin.disconnect();
  }
}

/** The largest value of each depth over the samples. */
export function peakDepth(samples: readonly PipelineDepth[]): PipelineDepth {
  const peak: PipelineDepth = { north_lag: 0, notification_queue: 0, email_queue: 0, sms_queue: 0, south_lag: 0 };
  for (const s of samples) for (const k of Object.keys(peak) as Array<keyof PipelineDepth>) peak[k] = Math.max(peak[k], s[k]);
  return peak;
}
