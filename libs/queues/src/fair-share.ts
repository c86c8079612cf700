/**
 * Fair share between API clients, and priorities, in a channel queue, with BullMQ's own job
 * priorities (its groups are a paid feature):
 * - high priority (one-time codes, password resets): priority 1, ahead of everything else;
 * - normal: 1 + the job's position in its client's backlog of that queue. A client's k-th waiting
 *   job has priority k + 1, so the queue interleaves clients one job each (round robin): a client
 *   with 100,000 jobs waiting does not hold another client's single job behind them.
 * Every job gets a priority (BullMQ serves jobs without one before prioritized ones). The backlog
 * counter per (queue, client) rises when the bridge routes a job and falls when a worker finishes
 * one for good; it expires after a day idle, so a counter that drifted (a worker killed between a
 * send and its decrement) heals.
 */
import type { Redis } from 'ioredis';

/** BullMQ's largest priority. */
export const MAX_PRIORITY = 2_097_152;
const IDLE_SEC = 86_400;

const DONE = `local v = redis.call('DECRBY', KEYS[1], ARGV[1]) if v < 0 then redis.call('SET', KEYS[1], 0, 'EX', ARGV[2]) end return v`;

export interface FairJob {
  client: string | undefined;
  high: boolean;
}

export class FairShare {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(queue: string, client: string | undefined): string {
    return `${this.prefix}:fair:${queue}:${client ?? '-'}`;
  }

  /** The priority of each job, in order; one round trip for the whole batch. */
  async priorities(queue: string, jobs: readonly FairJob[]): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const j of jobs) if (!j.high) counts.set(this.key(queue, j.client), (counts.get(this.key(queue, j.client)) ?? 0) + 1);
    if (counts.size === 0) return jobs.map(() => 1);
    const multi = this.redis.multi();
    for (const [key, n] of counts) multi.incrby(key, n).expire(key, IDLE_SEC);
    const results = (await multi.exec()) ?? [];
    // Each client's counter after its increment; hand out its positions in order.
    const next = new Map<string, number>();
    [...counts.keys()].forEach((key, i) => {
      const after = Number(results[i * 2]?.[1] ?? 0);
      next.set(key, after - (counts.get(key) ?? 0) + 1);
    });
    return jobs.map((j) => {
      if (j.high) return 1;
      const key = this.key(queue, j.client);
      const position = next.get(key) ?? 1;
      next.set(key, position + 1);
      return Math.min(MAX_PRIORITY, 1 + Math.max(1, position));
    });
  }

  /** A job of `client` left the backlog for good (sent, failed, skipped). */
  async done(queue: string, client: string | undefined, n = 1): Promise<void> {
    await this.redis.eval(DONE, 1, this.key(queue, client), n, IDLE_SEC);
  }
}
