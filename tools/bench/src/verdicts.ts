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
  /** CPU and memory per process group during the run (see resources.ts). */
  resources?: Record<string, { cpu_s_per_1k: number | null }>;
  /** A rate tried while searching for the highest sustained one (not one of the fixed rates). */
  search?: boolean;
}

export interface TargetCheck {
  target: string;
  met: boolean | null;
  detail: string;
}

/**
 * Issue 12's targets ("halve the cost of a message"), from its baseline on this 2-core machine
 * (9.2 CPU-s per 1000 messages at 200 msg/s, 294 msg/s the highest sustained rate): ingest and
 * bridge >= 50% of their bare loops, the channel workers >= 70%; at 200 and 500 msg/s p99
 * 202->sent < 250 ms, sustained; at 200 msg/s the CPU of Herald's services plus Kafka, PostgreSQL
 * and Redis at most 4.6 s per 1000 messages; the highest sustained rate at least 588 msg/s.
 * The webhook stage keeps issue 11's 80%.
 */
export const TARGETS = {
  ingest: 0.5,
  bridge: 0.5,
  email: 0.7,
  sms: 0.7,
  webhook: 0.8,
  e2eRates: [200, 500],
  e2eP99Ms: 250,
  cpuRate: 200,
  cpuPer1kS: 4.6,
  maxSustained: 588,
} as const;

/** The process groups whose CPU the cost target counts: Herald's services and its infrastructure (not the sinks or the load generator). */
export const COST_GROUPS = ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'kafka', 'postgres', 'redis'] as const;

/** CPU seconds per 1000 messages of the groups the cost target counts, or null when one is missing. */
export function costPer1k(resources: E2eFigure['resources']): number | null {
  if (!resources) return null;
  let total = 0;
  for (const group of COST_GROUPS) {
    const figure = resources[group]?.cpu_s_per_1k;
    if (figure === null || figure === undefined) return null;
    total += figure;
  }
  return Math.round(total * 100) / 100;
}

export function checkTargets(
  stages: Partial<Record<'ingest' | 'bridge' | 'email' | 'sms' | 'webhook', StageFigure>>,
  e2e: readonly E2eFigure[],
  maxSustained?: number | null,
): TargetCheck[] {
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
  const fixed = e2e.filter((e) => !e.search);
  for (const rate of TARGETS.e2eRates) {
    const at = fixed.find((e) => e.rate === rate);
    if (!at) continue;
    const met = at.p99_ms === null ? false : at.p99_ms < TARGETS.e2eP99Ms && at.sustained;
    checks.push({
      target: `e2e p99 < ${TARGETS.e2eP99Ms} ms at ${rate} msg/s, sustained`,
      met,
      detail: `${at.p99_ms === null ? 'n/a' : `${Math.round(at.p99_ms)} ms`}${at.sustained ? '' : ', not sustained'}`,
    });
  }
  const costAt = fixed.find((e) => e.rate === TARGETS.cpuRate);
  if (costAt) {
    const cost = costPer1k(costAt.resources);
    checks.push({
      target: `CPU of Herald + Kafka + PostgreSQL + Redis <= ${TARGETS.cpuPer1kS} s per 1000 messages at ${TARGETS.cpuRate} msg/s`,
      met: cost === null ? null : cost <= TARGETS.cpuPer1kS,
      detail: cost === null ? 'not measured' : `${cost} s`,
    });
  }
  if (maxSustained !== undefined) {
    checks.push({
      target: `highest sustained rate >= ${TARGETS.maxSustained} msg/s`,
      met: maxSustained === null ? false : maxSustained >= TARGETS.maxSustained,
      detail: maxSustained === null ? 'none of the rates tried' : `${maxSustained} msg/s`,
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
