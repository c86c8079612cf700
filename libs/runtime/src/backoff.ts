/**
 * Exponential backoff with jitter: delays grow from baseMs, double per attempt, stop at maxMs;
 * the share `jitter` (0..1) of each delay is random, so that a burst of failures does not come
 * back as a burst of retries.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

/** The delay before retry number `attempt` (1 after the first failure). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(ceiling * (1 - jitter) + random() * ceiling * jitter);
}
