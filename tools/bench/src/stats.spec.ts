import { percentile, ratio, round, summarize, windowRate, type CountSample } from './stats';

describe('percentile (nearest rank)', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('takes values that occur in the samples', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 99.9)).toBe(100);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('handles one sample and none', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    const s = summarize([30, 10, 20, 40]);
    expect(s).toMatchObject({ count: 4, min: 10, max: 40, mean: 25, p50: 20, p99: 40 });
    expect(summarize([]).count).toBe(0);
  });
});

describe('ratio and round', () => {
  it('divides by the baseline, or says there is none', () => {
    expect(ratio(80, 100)).toBeCloseTo(0.8);
    expect(ratio(80, 0)).toBeNull();
    expect(ratio(Number.NaN, 100)).toBeNull();
  });

  it('rounds to three significant digits', () => {
    expect(round(1234.5)).toBe(1235);
    expect(round(12.345)).toBe(12.3);
    expect(round(0.012345)).toBe(0.0123);
    expect(round(0)).toBe(0);
  });
});

describe('windowRate', () => {
  // 100 items per second, from t=1000 on, sampled every 100 ms.
  const steady: CountSample[] = Array.from({ length: 200 }, (_, i) => ({ t: i * 100, n: Math.max(0, (i - 10) * 10) }));

  it('measures the window after the warm-up', () => {
    const r = windowRate(steady, { warmupMs: 2000, durationMs: 5000 });
    expect(r?.rate).toBeCloseTo(100);
    expect(r?.exhausted).toBe(false);
    expect(r?.from).toBe(3000); // the last idle sample is t=1000, plus 2 s
    expect(r?.to).toBe(8000);
  });

  it('falls back to first-to-last when the supply runs out before the window ends', () => {
    const r = windowRate(steady, { warmupMs: 2000, durationMs: 5000, total: 300 });
    expect(r?.exhausted).toBe(true);
    expect(r?.items).toBe(300);
    expect(r?.rate).toBeCloseTo(100);
  });

  it('starts the warm-up no earlier than notBefore', () => {
    const r = windowRate(steady, { warmupMs: 1000, durationMs: 2000, notBefore: 5000 });
    expect(r?.from).toBe(6000);
    expect(r?.rate).toBeCloseTo(100);
  });

  it('returns null when nothing happened', () => {
    expect(windowRate([{ t: 0, n: 0 }, { t: 100, n: 0 }], { warmupMs: 0, durationMs: 100 })).toBeNull();
  });
});
