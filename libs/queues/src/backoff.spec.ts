import { heraldBackoffStrategy } from './backoff';

describe('heraldBackoffStrategy', () => {
  const strategy = heraldBackoffStrategy({ baseMs: 1_000, maxMs: 60_000, jitter: 0 });

  it('uses the delay the processor computed', () => {
    expect(strategy(1, 'herald', Object.assign(new Error('429'), { retryDelayMs: 30_000 }))).toBe(30_000);
    expect(strategy(5, 'herald', Object.assign(new Error('x'), { retryDelayMs: 10 }))).toBe(10);
  });

  it("falls back to the policy's delay for an error without one", () => {
    expect(strategy(3, 'herald', new Error('unexpected'))).toBe(4_000);
    expect(strategy(1)).toBe(1_000);
  });
});
