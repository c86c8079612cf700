/** Waiting without sleeping blindly: poll a condition until it holds or a deadline passes. */
import { setTimeout as delay } from 'node:timers/promises';

export class DeadlineExceededError extends Error {
  constructor(what: string, ms: number, readonly lastError?: unknown) {
    super(`${what} did not happen within ${ms} ms${lastError ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ''}`);
    this.name = 'DeadlineExceededError';
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
