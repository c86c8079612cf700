/**
 * Retry timing for channel jobs. They name the `herald` backoff strategy, and the worker that runs
 * them owns the policy: its processor computes each delay (so that history can show when the
 * retry will happen, and a provider's Retry-After is honoured) and puts it on the error; this
 * strategy uses that delay, or the policy's own when an unexpected error carries none.
 */
import { backoffDelayMs, type BackoffPolicy } from '@herald/runtime';

export const HERALD_BACKOFF = 'herald';

/** An error that carries the delay before the next attempt. */
export interface DelayHint {
  retryDelayMs?: number;
}

/** A BullMQ `backoffStrategy`. */
export function heraldBackoffStrategy(policy: BackoffPolicy) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    const hinted = (error as (Error & DelayHint) | undefined)?.retryDelayMs;
    return typeof hinted === 'number' && Number.isFinite(hinted) && hinted >= 0 ? hinted : backoffDelayMs(attemptsMade, policy);
  };
}
