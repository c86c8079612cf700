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

// Each KEYS[i] falls by ARGV[i]; a counter that would go below zero (it drifted) is reset to 0.
const DONE = `local idle = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  local v = redis.call('DECRBY', key, ARGV[i])
  if v < 0 then redis.call('SET', key, 0, 'EX', idle) end
end
return #KEYS`;

export interface FairJob {
  client: string | undefined;
  high: boolean;
}

export interface FairShareOptions {
  /** How long finished jobs are gathered before one round trip lowers their counters (ms, default 20). */
  flushMs?: number;
}

/** Finished jobs gathered for one round trip. */
interface Pending {
  counts: Map<string, number>;
  timer: NodeJS.Timeout;
  settled: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FairShare {
  private pending: Pending | undefined;
  private readonly flushMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: FairShareOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 20;
  }

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

  /**
   * A job of `client` left the backlog for good (sent, failed, skipped). The jobs a worker finishes
   * within flushMs share one round trip (a worker finishes hundreds a second); resolves (or
   * rejects) with that round trip. A decrement lost with a killed process leaves a counter high
   * until it expires (see above): priorities drift for a while, no job is lost.
   */
  done(queue: string, client: string | undefined, n = 1): Promise<void> {
    const pending = (this.pending ??= this.gather());
    const key = this.key(queue, client);
    pending.counts.set(key, (pending.counts.get(key) ?? 0) + n);
    return pending.settled;
  }

  private gather(): Pending {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const settled = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => void this.flush(), this.flushMs);
    return { counts: new Map(), timer, settled, resolve, reject };
  }

  /** Lowers the gathered counters now, in one round trip (the timer calls it; call it before closing Redis). */
  async flush(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    const keys = [...pending.counts.keys()];
    try {
      await this.redis.eval(DONE, keys.length, ...keys, ...keys.map((k) => pending.counts.get(k) ?? 0), IDLE_SEC);
      pending.resolve();
    } catch (error) {
      pending.reject(error);
    }
  }
}
