import { backoffDelayMs } from './backoff';

const policy = { baseMs: 1_000, maxMs: 60_000, jitter: 0.5 };

describe('backoffDelayMs', () => {
  it('doubles from the base and stops at the cap (no jitter)', () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, noJitter))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });

  it('spreads delays over the jittered share of the range', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(2_000);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(4_000);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(3, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});
