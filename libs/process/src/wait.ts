/**
 * Waiting without sleeping blindly: poll a condition until it holds, a reason to give up appears,
 * or a deadline passes. The one waitFor of the tools and the test harness.
 */
import { HeraldError } from '@herald/errors';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The condition did not hold in time; `lastError` is what the probe last threw. Its code keeps the
 * project it was released under (libs/runtime): a released code is never renamed.
 */
export class DeadlineExceededError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_RUNTIME_DEADLINE_EXCEEDED';
  constructor(what: string, ms: number, readonly lastError?: unknown) {
    super(`${what} did not happen within ${ms} ms${lastError ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ''}`);
  }
}

/** `abortIf` gave a reason to stop waiting (the process being waited for exited, say). */
export class WaitAbortedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_PROCESS_WAIT_ABORTED';
  constructor(what: string, readonly reason: string) {
    super(`stopped waiting for ${what}: ${reason}`);
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Says "waiting for <what> (Ns)" every `progressEveryMs` (default 5 s), for a person watching. */
  log?: (line: string) => void;
  progressEveryMs?: number;
  /** A reason to stop waiting before the deadline, checked after every probe. */
  abortIf?: () => string | null | undefined;
}

/** Resolves with the first truthy value of `probe`; throws DeadlineExceededError once `timeoutMs` has passed. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 100, signal, log, progressEveryMs = 5_000, abortIf }: WaitOptions = {},
): Promise<T> {
  const start = Date.now();
  let nextProgress = start + progressEveryMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    const reason = abortIf?.();
    if (reason) throw new WaitAbortedError(what, reason);
    const now = Date.now();
    if (now - start >= timeoutMs) throw new DeadlineExceededError(what, timeoutMs, lastError);
    if (log && now >= nextProgress) {
      log(`waiting for ${what} (${Math.round((now - start) / 1000)}s)`);
      nextProgress = now + progressEveryMs;
    }
    await delay(intervalMs, undefined, signal ? { signal } : undefined);
  }
}
