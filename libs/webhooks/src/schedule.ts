/**
 * When a failed call is tried again. The default schedule follows Svix's: 5 s, 5 min, 30 min,
 * 2 h, 5 h, then every 10 h, and is long enough to ride out a receiver that is down over a
 * weekend: 13 calls over 3 days, 5 hours and 35 minutes. Each delay may be stretched by a random
 * share (jitter) so that the retries of a burst spread out, and a receiver's Retry-After is
 * honoured: the next call is never earlier than it asks (up to a day), nor earlier than the
 * schedule says.
 */

/** Delays before each retry: the n-th entry follows the n-th failed call. */
export const DEFAULT_RETRY_SCHEDULE = ['5s', '5m', '30m', '2h', '5h', '10h', '10h', '10h', '10h', '10h', '10h', '10h'] as const;

/** The longest Retry-After honoured. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "5s", "5m", "2h", "1d" in milliseconds; throws for anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 250ms, 5s, 5m, 2h or 1d`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

export const DURATION_PATTERN = /^\d{1,9}(ms|s|m|h|d)$/;

export interface RetrySchedule {
  /** Delay after each failed call, in milliseconds. */
  delaysMs: readonly number[];
  /** Share (0..1) of each delay that may be added at random. */
  jitter: number;
}

export function retrySchedule(delays: readonly string[], jitter = 0): RetrySchedule {
  return { delaysMs: delays.map(parseDuration), jitter: Math.min(1, Math.max(0, jitter)) };
}

/** Calls made for one event at most: the first and one per delay. */
export function maxCalls(schedule: RetrySchedule): number {
  return schedule.delaysMs.length + 1;
}

/** From the first call to the last, without jitter or Retry-After. */
export function scheduleSpanMs(schedule: RetrySchedule): number {
  return schedule.delaysMs.reduce((a, b) => a + b, 0);
}

/**
 * The delay before the next call after `failedCalls` calls have failed (1 after the first), or
 * undefined when the schedule is exhausted.
 */
export function nextRetryDelayMs(schedule: RetrySchedule, failedCalls: number, options: { retryAfterMs?: number; random?: () => number } = {}): number | undefined {
  const planned = schedule.delaysMs[failedCalls - 1];
  if (planned === undefined) return undefined;
  const random = options.random ?? Math.random;
  const withJitter = Math.round(planned * (1 + schedule.jitter * random()));
  const asked = options.retryAfterMs === undefined ? 0 : Math.min(Math.max(0, options.retryAfterMs), MAX_RETRY_AFTER_MS);
  return Math.max(withJitter, asked);
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from `now`. */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
