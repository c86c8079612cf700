import { backlogSlope, checkTargets, judgeSustained, nextSearchRate, type BacklogSample } from './verdicts';

const flat: BacklogSample[] = Array.from({ length: 40 }, (_, i) => ({ t: i * 500, backlog: 50 + (i % 3) * 10 }));
const growing: BacklogSample[] = Array.from({ length: 40 }, (_, i) => ({ t: i * 500, backlog: i * 100 })); // 200/s

describe('backlogSlope', () => {
  it('is the least-squares growth per second', () => {
    expect(backlogSlope(growing)).toBeCloseTo(200);
    expect(Math.abs(backlogSlope(flat))).toBeLessThan(5);
    expect(backlogSlope([])).toBe(0);
  });
});

describe('judgeSustained', () => {
  const base = { offeredRate: 500, acceptedRate: 500, errors: 0, requests: 10_000, deliveriesPerMessage: 1.2, drained: true };

  it('accepts a flat backlog, even a non-zero one', () => {
    expect(judgeSustained({ ...base, samples: flat })).toMatchObject({ sustained: true, reasons: [] });
  });

  it('refuses a growing backlog', () => {
    const v = judgeSustained({ ...base, samples: growing });
    expect(v.sustained).toBe(false);
    expect(v.reasons.join()).toMatch(/backlog grew/);
  });

  it('refuses when the API did not take the offered rate, failed requests, or work was left', () => {
    expect(judgeSustained({ ...base, samples: flat, acceptedRate: 400 }).reasons.join()).toMatch(/accepted 400/);
    expect(judgeSustained({ ...base, samples: flat, errors: 100 }).reasons.join()).toMatch(/100 of 10000 requests failed/);
    expect(judgeSustained({ ...base, samples: flat, drained: false }).reasons.join()).toMatch(/drain/);
  });
});

describe('checkTargets', () => {
  const stage = (ratio: number | null) => ({ value: 1, baseline: 1, ratio, unit: 'x/s' });

  it('compares each ratio with its target, the e2e p99 at 200 and 500 msg/s, the cost at 200 and the highest sustained rate', () => {
    const cpu = (perK: number) => Object.fromEntries(['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'kafka', 'postgres', 'redis', 'sinks'].map((g) => [g, { cpu_s_per_1k: perK }]));
    const checks = checkTargets(
      { ingest: stage(0.55), bridge: stage(0.45), email: stage(null), sms: stage(0.7) },
      [
        { rate: 200, p50_ms: 10, p99_ms: 900, max_ms: 1000, sustained: true, resources: cpu(0.5) },
        { rate: 500, p50_ms: 40, p99_ms: 120, max_ms: 300, sustained: true },
        { rate: 200, p50_ms: 10, p99_ms: 100, max_ms: 100, sustained: true, search: true },
      ],
      600,
    );
    expect(checks.map((c) => [c.target, c.met, c.detail])).toEqual([
      ['ingest >= 50% of baseline', true, '55%'],
      ['bridge >= 50% of baseline', false, '45%'],
      ['email >= 70% of baseline', null, 'no baseline'],
      ['sms >= 70% of baseline', true, '70%'],
      ['e2e p99 < 250 ms at 200 msg/s, sustained', false, '900 ms'],
      ['e2e p99 < 250 ms at 500 msg/s, sustained', true, '120 ms'],
      // Seven groups at 0.5 s (the sinks are not counted).
      ['CPU of Herald + Kafka + PostgreSQL + Redis <= 4.6 s per 1000 messages at 200 msg/s', true, '3.5 s'],
      ['highest sustained rate >= 588 msg/s', true, '600 msg/s'],
    ]);
  });

  it('counts a missing cost group as not measured, and judges the highest rate only when searched for', () => {
    const checks = checkTargets({}, [{ rate: 200, p50_ms: 10, p99_ms: 100, max_ms: 100, sustained: true, resources: { 'ingest-api': { cpu_s_per_1k: 1 } } }]);
    expect(checks.map((c) => [c.target.slice(0, 3), c.met, c.detail])).toEqual([
      ['e2e', true, '100 ms'],
      ['CPU', null, 'not measured'],
    ]);
    expect(checkTargets({}, [], null).map((c) => c.met)).toEqual([false]);
  });

  it('does not count a p99 under target when the rate was not sustained', () => {
    const [check] = checkTargets({}, [{ rate: 500, p50_ms: 40, p99_ms: 120, max_ms: 300, sustained: false }]);
    expect(check?.met).toBe(false);
  });
});

describe('nextSearchRate', () => {
  it('grows from the best sustained rate until one fails, then bisects', () => {
    expect(nextSearchRate([{ rate: 1000, sustained: true }])).toBe(1500);
    expect(nextSearchRate([{ rate: 1000, sustained: true }, { rate: 1500, sustained: false }])).toBe(1250);
    expect(nextSearchRate([{ rate: 1000, sustained: true }, { rate: 1250, sustained: true }, { rate: 1500, sustained: false }])).toBe(1375);
  });

  it('stops at the resolution, the ceiling, or when nothing was sustained and the rates get tiny', () => {
    expect(nextSearchRate([{ rate: 1000, sustained: true }, { rate: 1080, sustained: false }])).toBeNull();
    expect(nextSearchRate([{ rate: 3000, sustained: true }], { ceiling: 4000 })).toBeNull();
    expect(nextSearchRate([{ rate: 200, sustained: false }])).toBe(100);
    expect(nextSearchRate([{ rate: 15, sustained: false }])).toBeNull();
  });
});
