/**
 * The reconciler: PostgreSQL (tracking) is the record of what must be delivered; Redis only holds
 * the work in flight. Every interval, deliveries that are not final and have not changed for a
 * while are routed again. Routing is idempotent (channel job ids are per delivery and generation,
 * so a job that still exists is not added twice; the send ledger never sends a delivery twice),
 * so this only ever fills a gap: jobs lost with a Redis that restarted without persistence, or a
 * crash between two steps.
 */
import type { NotificationJob } from '@herald/contracts';
import type { Logger } from '@herald/runtime';

export interface ReconcilerOptions {
  staleMs: number;
  intervalMs: number;
  batch: number;
  claimStale: (staleMs: number, limit: number) => Promise<NotificationJob[]>;
  route: (messages: readonly NotificationJob[]) => Promise<unknown>;
  logger: Logger;
}

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Deliveries routed again since start (for metrics and tests). */
  rerouted = 0;

  constructor(private readonly options: ReconcilerOptions) {}

  /** One round: claims stale deliveries and routes them; returns how many. */
  async runOnce(): Promise<number> {
    const jobs = await this.options.claimStale(this.options.staleMs, this.options.batch);
    if (jobs.length) await this.options.route(jobs);
    const count = jobs.reduce((n, job) => n + job.deliveries.length, 0);
    if (count) this.options.logger.info({ deliveries: count }, 'reconciler routed stale deliveries again');
    this.rerouted += count;
    return count;
  }

  start(): void {
    const tick = () => {
      this.running = this.runOnce()
        .then(
          () => undefined,
          (error: unknown) => this.options.logger.warn({ err: error }, 'reconciliation round failed'),
        )
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
