/**
 * Keeps webhook_attempts bounded: every PRUNE_INTERVAL_MS it deletes attempts older than the
 * retention, in batches (short statements, no long lock). Every worker runs one; they share the
 * work harmlessly. stop() waits for a round in progress.
 */
import type { Logger } from '@herald/runtime';

export const PRUNE_INTERVAL_MS = 10 * 60_000;
const BATCH = 5_000;

export class AttemptPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly prune: (before: Date, batch: number) => Promise<number>,
    private readonly retentionMs: number,
    private readonly logger: Logger,
    private readonly intervalMs = PRUNE_INTERVAL_MS,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, Math.min(this.intervalMs, 30_000)).unref();
  }

  /** One round: deletes batches until one comes back short; returns how many were deleted. */
  async round(): Promise<void> {
    const before = new Date(Date.now() - this.retentionMs);
    let total = 0;
    try {
      for (;;) {
        const n = await this.prune(before, BATCH);
        total += n;
        if (n < BATCH || this.stopped) break;
      }
      if (total) this.logger.info({ deleted: total, before: before.toISOString() }, 'old webhook attempts pruned');
    } catch (error) {
      this.logger.warn({ err: error }, 'pruning webhook attempts failed; will try again');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
