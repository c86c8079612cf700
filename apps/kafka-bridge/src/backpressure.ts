/**
 * Backpressure: when the queues hold more than the high watermark of jobs waiting (waiting,
 * delayed, prioritized, over NotificationQueue, EmailQueue and SmsQueue), stop fetching
 * north-updates; resume once below the low watermark. Kafka keeps the backlog meanwhile, so
 * Redis memory stays bounded however long a provider is slow or down.
 */
import type { Logger } from '@herald/runtime';

export interface BackpressureOptions {
  high: number;
  low: number;
  intervalMs: number;
  /** Jobs waiting in the queues. */
  measure: () => Promise<number>;
  pause: () => void;
  resume: () => void;
  logger: Logger;
}

export class Backpressure {
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private running: Promise<void> | undefined;
  /** The last backlog measured (for metrics and tests). */
  backlog = 0;

  constructor(private readonly options: BackpressureOptions) {
    if (options.low >= options.high) throw new Error('the low watermark must be below the high one');
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Measures once and pauses or resumes as needed. */
  async check(): Promise<void> {
    const { high, low, logger } = this.options;
    let backlog: number;
    try {
      backlog = await this.options.measure();
    } catch (error) {
      logger.warn({ err: error }, 'could not measure the queue backlog');
      return;
    }
    this.backlog = backlog;
    if (!this.paused && backlog >= high) {
      this.paused = true;
      this.options.pause();
      logger.warn({ backlog, high }, 'queue backlog above the high watermark: pausing north-updates');
    } else if (this.paused && backlog <= low) {
      this.paused = false;
      this.options.resume();
      logger.info({ backlog, low }, 'queue backlog below the low watermark: resuming north-updates');
    }
  }

  start(): void {
    const tick = () => {
      this.running = this.check().finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
