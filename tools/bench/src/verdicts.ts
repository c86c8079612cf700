/**
 * Judgements the report makes from measurements: whether an offered rate was sustained (no
 * growing backlog), and whether each of the issue's targets was met. Pure functions.
 */

export interface BacklogSample {
  /** Milliseconds since the run started. */
  t: number;
  /** Deliveries accepted (202) but not yet received by the sinks. */
  backlog: number;
}

/** Least-squares slope of backlog over time, in deliveries per second. */
export function backlogSlope(samples: readonly BacklogSample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mb = samples.reduce((s, x) => s + x.backlog, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x.backlog - mb);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 1000;
}

export interface SustainInput {
  /** Offered messages per second. */
  offeredRate: number;
  /** Messages accepted (202) per second over the offered period. */
  acceptedRate: number;
  /** Requests that did not get a 202 (errors, timeouts, other statuses). */
  errors: number;
  requests: number;
  deliveriesPerMessage: number;
  /** Backlog samples over the offered period. */
  samples: readonly BacklogSample[];
  /** Every accepted delivery was sent within the drain allowance after the load stopped. */
  drained: boolean;
}

export interface SustainVerdict {
  sustained: boolean;
  /** Backlog growth over the second half of the run, deliveries per second. */
  slope: number;
  /** Why not, when not. */
  reasons: string[];
}

/** Share of the offered delivery rate the backlog may grow by (per second) and still count as flat. */
export const SLOPE_TOLERANCE = 0.03;
/** Accepted rate must reach this share of the offered rate. */
export const ACCEPT_TOLERANCE = 0.95;
/** Share of requests that may fail. */
export const ERROR_TOLERANCE = 0.001;

/**
 * An offered rate is sustained when the API accepted (nearly) all of it, (nearly) nothing
 * failed, the backlog was flat over the second half of the offered period (it may be non-zero:
 * work in flight), and everything was sent once the load stopped.
 */
export function judgeSustained(input: SustainInput): SustainVerdict {
  const reasons: string[] = [];
  if (input.acceptedRate < input.offeredRate * ACCEPT_TOLERANCE) {
    reasons.push(`accepted ${input.acceptedRate.toFixed(0)}/s of ${input.offeredRate}/s offered`);
  }
  if (input.requests > 0 && input.errors / input.requests > ERROR_TOLERANCE) {
    reasons.push(`${input.errors} of ${input.requests} requests failed`);
  }
  const end = input.samples.length ? (input.samples[input.samples.length - 1] as BacklogSample).t : 0;
  const secondHalf = input.samples.filter((s) => s.t >= end / 2);
  const slope = backlogSlope(secondHalf);
  const allowed = SLOPE_TOLERANCE * input.offeredRate * input.deliveriesPerMessage;
  if (slope > allowed) reasons.push(`backlog grew by ${slope.toFixed(0)} deliveries/s (allowed ${allowed.toFixed(0)})`);
  if (!input.drained) reasons.push('not everything was sent within the drain allowance');
  return { sustained: reasons.length === 0, slope, reasons };
}

export interface StageFigure {
  value: number;
  baseline: number;
  ratio: number | null;
  unit: string;
}

export interface E2eFigure {
  rate: number;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  sustained: boolean;
}

export interface TargetCheck {
  target: string;
  met: boolean | null;
  detail: string;
}

/** The issue's targets: ingest >= 50% of its baseline, bridge and workers >= 80%, e2e p99 < 250 ms at 500/s. */
export const TARGETS = {
  ingest: 0.5,
  bridge: 0.8,
  email: 0.8,
  sms: 0.8,
  webhook: 0.8,
  e2eRate: 500,
  e2eP99Ms: 250,
} as const;

export function checkTargets(stages: Partial<Record<'ingest' | 'bridge' | 'email' | 'sms' | 'webhook', StageFigure>>, e2e: readonly E2eFigure[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const key of ['ingest', 'bridge', 'email', 'sms', 'webhook'] as const) {
    const figure = stages[key];
    const want = TARGETS[key];
    if (!figure) continue;
    const met = figure.ratio === null ? null : figure.ratio >= want;
    checks.push({
      target: `${key} >= ${Math.round(want * 100)}% of baseline`,
      met,
      detail: figure.ratio === null ? 'no baseline' : `${Math.round(figure.ratio * 100)}%`,
    });
  }
  const at = e2e.find((e) => e.rate === TARGETS.e2eRate);
  if (at) {
    const met = at.p99_ms === null ? false : at.p99_ms < TARGETS.e2eP99Ms && at.sustained;
    checks.push({
      target: `e2e p99 < ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eRate} msg/s`,
      met,
      detail: `${at.p99_ms === null ? 'n/a' : `${Math.round(at.p99_ms)} ms`}${at.sustained ? '' : ', not sustained'}`,
    });
  }
  return checks;
}

/**
 * The next rate to try when searching for the highest sustained rate: grow by `step` until a
 * rate fails, then bisect between the best sustained and the lowest failed rate. Returns null
 * when the interval is narrower than `resolution` (share of the sustained rate).
 */
export function nextSearchRate(tried: ReadonlyArray<{ rate: number; sustained: boolean }>, options: { step?: number; resolution?: number; ceiling?: number } = {}): number | null {
  const step = options.step ?? 1.5;
  const resolution = options.resolution ?? 0.1;
  const ok = tried.filter((t) => t.sustained).map((t) => t.rate);
  const bad = tried.filter((t) => !t.sustained).map((t) => t.rate);
  const best = ok.length ? Math.max(...ok) : 0;
  const failedAbove = bad.filter((r) => r > best);
  if (failedAbove.length === 0) {
    if (best === 0) return null;
    const next = Math.round(best * step);
    return options.ceiling !== undefined && next > options.ceiling ? null : next;
  }
  const lowestBad = Math.min(...failedAbove);
  if (best === 0) {
    const next = Math.round(lowestBad / 2);
    return next >= 10 ? next : null;
  }
  if (lowestBad - best <= best * resolution) return null;
  return Math.round((best + lowestBad) / 2);
}
