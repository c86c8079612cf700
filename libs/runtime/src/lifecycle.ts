/**
 * Graceful drain. Resources register a close step as they open; on SIGTERM or SIGINT the steps run
 * in reverse order (stop taking work first, close connections last), each guarded so that one
 * failure does not skip the rest, all within a grace period. shutdown() is safe to call twice.
 * An uncaught exception or unhandled rejection is logged as fatal and ends the process through
 * the same drain with exit code 1: the process never carries on in an unknown state.
 */
import type { Logger } from 'pino';

export interface LifecycleOptions {
  logger: Logger;
  /** The whole drain must finish within this many milliseconds, or the process exits with 1. */
  graceMs: number;
  /** Called with the exit code when the drain is over (default: process.exit). */
  exit?: (code: number) => void;
}

interface Step {
  name: string;
  close: () => Promise<void> | void;
}

export class Lifecycle {
  private readonly steps: Step[] = [];
  private shuttingDown: Promise<void> | undefined;
  private exitCode = 0;
  private readonly drainingListeners: Array<() => void> = [];

  constructor(private readonly options: LifecycleOptions) {}

  /** Registers a close step. Steps run in reverse registration order. */
  onShutdown(name: string, close: () => Promise<void> | void): void {
    this.steps.push({ name, close });
  }

  /** Called as soon as a drain starts (e.g. to fail readiness). */
  onDraining(listener: () => void): void {
    this.drainingListeners.push(listener);
  }

  get draining(): boolean {
    return this.shuttingDown !== undefined;
  }

  installSignalHandlers(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.options.logger.info({ signal }, 'signal received, draining');
      void this.shutdown(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    process.on('uncaughtException', (error) => this.fatal('uncaught exception', error));
    process.on('unhandledRejection', (reason) => this.fatal('unhandled rejection', reason));
  }

  /** Logs a fatal error and drains with exit code 1. */
  fatal(message: string, error: unknown): void {
    this.options.logger.fatal({ err: error }, message);
    this.exitCode = 1;
    void this.shutdown('fatal');
  }

  /** Runs the drain once; later calls return the same promise. */
  shutdown(reason = 'requested'): Promise<void> {
    this.shuttingDown ??= this.run(reason);
    return this.shuttingDown;
  }

  private async run(reason: string): Promise<void> {
    const { logger, graceMs } = this.options;
    const exit = this.options.exit ?? ((code: number) => process.exit(code));
    const started = Date.now();
    for (const listener of this.drainingListeners) {
      try {
        listener();
      } catch (error) {
        logger.error({ err: error }, 'draining listener failed');
      }
    }
    const timer = setTimeout(() => {
      logger.error({ graceMs, reason }, 'drain did not finish within the grace period, exiting');
      exit(1);
    }, graceMs);
    timer.unref();
    for (const step of [...this.steps].reverse()) {
      const t0 = Date.now();
      try {
        await step.close();
        logger.debug({ step: step.name, ms: Date.now() - t0 }, 'closed');
      } catch (error) {
        this.exitCode = 1;
        logger.error({ err: error, step: step.name }, 'close step failed');
      }
    }
    clearTimeout(timer);
    logger.info({ reason, ms: Date.now() - started, exitCode: this.exitCode }, 'drained, exiting');
    exit(this.exitCode);
  }
}
