/**
 * Latency summaries and windowed throughput: pure functions over samples the stages collect.
 * Percentiles use the nearest-rank method (the value below which p% of samples fall, taken from
 * the samples themselves, never interpolated), so a p99 is a latency some message really had.
 */

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0] as number;
  if (p >= 100) return sorted[sorted.length - 1] as number;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    min: sorted.length ? (sorted[0] as number) : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** value / baseline, or null when there is no baseline to compare with. */
export function ratio(value: number, baseline: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline <= 0) return null;
  return value / baseline;
}

/** Rounds for reports: 3 significant digits, integers kept whole. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

/** A cumulative counter read at time t (ms): "n things done so far". */
export interface CountSample {
  t: number;
  n: number;
}

export interface WindowRate {
  /** Items per second over the window. */
  rate: number;
  /** The window actually used (ms timestamps) and the items in it. */
  from: number;
  to: number;
  items: number;
  /**
   * The supply ran out before the window ended (every item was done): the rate is then taken
   * from the first item to the last, warm-up included.
   */
  exhausted: boolean;
}

/** The first sample at or after time t (samples ascending by t). */
function sampleAt(samples: readonly CountSample[], t: number): CountSample | undefined {
  return samples.find((s) => s.t >= t);
}

/**
 * Throughput from polled cumulative counts: the window starts `warmupMs` after work began (the
 * first item seen, or `notBefore` if later: e.g. when the service reported ready) and lasts
 * `durationMs`. When all `total` items were done before the window could end, the rate is taken
 * from the start to the first sample showing all of it.
 */
export function windowRate(samples: readonly CountSample[], options: { warmupMs: number; durationMs: number; total?: number; notBefore?: number }): WindowRate | null {
  const firstWork = samples.findIndex((s) => s.n > 0);
  if (firstWork < 0) return null;
  // The last sample before work started bounds the start more tightly than the first one after.
  let startIndex = Math.max(0, firstWork - 1);
  if (options.notBefore !== undefined) {
    const ready = samples.findIndex((s) => s.t >= (options.notBefore as number));
    startIndex = Math.max(startIndex, ready < 0 ? samples.length - 1 : ready);
  }
  const start = samples[startIndex] as CountSample;
  const done = options.total === undefined ? undefined : samples.find((s) => s.n >= (options.total as number));
  const a = sampleAt(samples, start.t + options.warmupMs);
  const last = samples[samples.length - 1] as CountSample;
  const wantedEnd = (a?.t ?? Number.POSITIVE_INFINITY) + options.durationMs;
  const exhausted = done !== undefined && (a === undefined || done.t < wantedEnd);
  if (exhausted || a === undefined) {
    const end = done ?? last;
    const items = end.n - start.n;
    const ms = end.t - start.t;
    return ms > 0 ? { rate: (items / ms) * 1000, from: start.t, to: end.t, items, exhausted: true } : null;
  }
  const b = sampleAt(samples, wantedEnd) ?? last;
  const ms = b.t - a.t;
  if (ms <= 0) return null;
  return { rate: ((b.n - a.n) / ms) * 1000, from: a.t, to: b.t, items: b.n - a.n, exhausted: false };
}
