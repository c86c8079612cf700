/** Waiting without sleeping blindly: poll a condition until it holds or a deadline passes. */
import { HeraldError } from '@herald/errors';
import { setTimeout as delay } from 'node:timers/promises';

export class DeadlineExceededError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_RUNTIME_DEADLINE_EXCEEDED';
  constructor(what: string, ms: number, readonly lastError?: unknown) {
    super(`${what} did not happen within ${ms} ms${lastError ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ''}`);
  }
}

/** Resolves with the first truthy value of `probe`, or throws once `timeoutMs` has passed. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 100, signal }: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new DeadlineExceededError(what, timeoutMs, lastError);
    await delay(intervalMs, undefined, signal ? { signal } : undefined);
  }
}

/**
 * Runs `attempt` until it succeeds, waiting 500 ms after the first failure and doubling up to
 * 10 s, without holding up the caller (a service starts while a dependency is away and says so
 * through readiness). Stops trying once `stopped()` is true. The timers do not keep the process up.
 */
export function retryInBackground(attempt: () => Promise<void>, handlers: { stopped: () => boolean; onSuccess: () => void; onError: (error: unknown, retryInMs: number) => void }): void {
  let delay = 500;
  const run = () => {
    if (handlers.stopped()) return;
    attempt().then(handlers.onSuccess, (error: unknown) => {
      handlers.onError(error, delay);
      setTimeout(run, delay).unref();
      delay = Math.min(delay * 2, 10_000);
    });
  };
  run();
}
