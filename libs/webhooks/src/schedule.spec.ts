import { DEFAULT_RETRY_SCHEDULE, MAX_RETRY_AFTER_MS, maxCalls, nextRetryDelayMs, parseDuration, retryAfterMs, retrySchedule, scheduleSpanMs } from './schedule';

describe('the retry schedule', () => {
  const schedule = retrySchedule(DEFAULT_RETRY_SCHEDULE);

  it('retries for more than three days by default, with 13 calls in all', () => {
    expect(maxCalls(schedule)).toBe(13);
    expect(scheduleSpanMs(schedule)).toBe(((5 * 60 + 30 * 60 + 2 * 3_600 + 5 * 3_600 + 7 * 10 * 3_600) * 1_000) + 5_000);
    expect(scheduleSpanMs(schedule)).toBeGreaterThan(3 * 86_400_000);
  });

  it("follows Svix's first steps: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h", () => {
    const delays = Array.from({ length: 12 }, (_, i) => nextRetryDelayMs(schedule, i + 1));
    expect(delays.slice(0, 6)).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000]);
    expect(new Set(delays.slice(5))).toEqual(new Set([36_000_000]));
  });

  it('says there is no next call once the schedule is used up', () => {
    expect(nextRetryDelayMs(schedule, 12)).toBe(36_000_000);
    expect(nextRetryDelayMs(schedule, 13)).toBeUndefined();
  });

  it("waits at least as long as the receiver's Retry-After asks, up to a day, and never less than the schedule", () => {
    expect(nextRetryDelayMs(schedule, 1, { retryAfterMs: 60_000 })).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 2, { retryAfterMs: 1_000 })).toBe(300_000);
    expect(nextRetryDelayMs(schedule, 1, { retryAfterMs: 10 * 86_400_000 })).toBe(MAX_RETRY_AFTER_MS);
  });

  it('stretches each delay by at most the jitter share', () => {
    const jittered = retrySchedule(['10s'], 0.1);
    expect(nextRetryDelayMs(jittered, 1, { random: () => 0 })).toBe(10_000);
    expect(nextRetryDelayMs(jittered, 1, { random: () => 0.999 })).toBe(10_999);
  });

  it('reads durations and Retry-After headers', () => {
    expect(['250ms', '5s', '5m', '2h', '1d'].map(parseDuration)).toEqual([250, 5_000, 300_000, 7_200_000, 86_400_000]);
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
