/**
 * The cluster primary's supervisor. It forks one worker per slot, restarts a worker that dies
 * (after a backoff that doubles with each recent crash of that slot), gives up on a slot whose
 * worker dies more than `maxRestarts` times within `windowMs` (a crash loop), exits the primary
 * when no slot is left, and on stop() sends SIGTERM to every worker, waits for them to drain,
 * and SIGKILLs any that outlast the grace period.
 *
 * It depends on a small ClusterLike interface, not on node:cluster directly, so that it is
 * unit-tested without forking processes.
 */
import { EventEmitter } from 'node:events';
import { backoffDelayMs, type Logger } from '@herald/runtime';

export interface WorkerLike {
  readonly id: number;
  readonly process: { readonly pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean };
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
  on(event: 'online', listener: () => void): unknown;
}

export interface ClusterLike {
  fork(env?: Record<string, string>): WorkerLike;
}

export interface SupervisorOptions {
  cluster: ClusterLike;
  size: number;
  logger: Logger;
  initialBackoffMs: number;
  maxBackoffMs?: number;
  maxRestarts: number;
  windowMs: number;
  graceMs: number;
  now?: () => number;
}

interface Slot {
  index: number;
  worker: WorkerLike | undefined;
  crashes: number[];
  gaveUp: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class Supervisor extends EventEmitter {
  private readonly slots: Slot[];
  private stopping: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.slots = Array.from({ length: options.size }, (_, index) => ({ index, worker: undefined, crashes: [], gaveUp: false, timer: undefined }));
  }

  start(): void {
    for (const slot of this.slots) this.fork(slot);
  }

  /** Pids of the running workers. */
  get pids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.process.pid ? [s.worker.process.pid] : []));
  }

  private fork(slot: Slot): void {
    const worker = this.options.cluster.fork({ HERALD_WORKER_SLOT: String(slot.index) });
    slot.worker = worker;
    worker.on('online', () => this.options.logger.info({ slot: slot.index, workerPid: worker.process.pid }, 'worker online'));
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal));
    this.emit('fork', slot.index, worker);
  }

  private onExit(slot: Slot, worker: WorkerLike, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const { logger, maxRestarts, windowMs, initialBackoffMs } = this.options;
    if (this.stopping) {
      logger.info({ slot: slot.index, workerPid: worker.process.pid, code, signal }, 'worker stopped');
      this.emit('exit', slot.index);
      return;
    }
    const now = this.now();
    slot.crashes = slot.crashes.filter((t) => now - t < windowMs);
    slot.crashes.push(now);
    if (slot.crashes.length > maxRestarts) {
      slot.gaveUp = true;
      logger.error({ slot: slot.index, crashes: slot.crashes.length, windowMs }, 'worker is crash-looping; not restarting it');
      this.emit('gave-up', slot.index);
      if (this.slots.every((s) => s.gaveUp)) {
        logger.fatal('every worker is crash-looping; the primary exits');
        this.emit('all-gave-up');
      }
      return;
    }
    const delay = backoffDelayMs(slot.crashes.length, { baseMs: initialBackoffMs, maxMs: this.options.maxBackoffMs ?? 30_000, jitter: 0 });
    logger.warn({ slot: slot.index, workerPid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; restarting');
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!this.stopping) this.fork(slot);
    }, delay);
  }

  /** SIGTERM to every worker; SIGKILL to those still running after the grace period. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      for (const slot of this.slots) clearTimeout(slot.timer);
      const running = this.slots.filter((s) => s.worker);
      if (running.length === 0) return resolve();
      let left = running.length;
      const killer = setTimeout(() => {
        for (const slot of this.slots) {
          if (slot.worker) {
            this.options.logger.error({ slot: slot.index, workerPid: slot.worker.process.pid }, 'worker did not drain in time; killing it');
            slot.worker.process.kill('SIGKILL');
          }
        }
      }, this.options.graceMs);
      this.on('exit', () => {
        left -= 1;
        if (left === 0) {
          clearTimeout(killer);
          resolve();
        }
      });
      for (const slot of running) slot.worker?.process.kill('SIGTERM');
    });
    return this.stopping;
  }
}
