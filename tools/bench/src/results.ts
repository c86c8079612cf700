/** The shape of tools/bench/results/latest.json (version 1). */
import type { LatencySummary } from './stats';
import type { E2eFigure, StageFigure, TargetCheck } from './verdicts';

export type StageName = 'ingest' | 'bridge' | 'email' | 'sms' | 'webhook';
export const STAGE_NAMES: readonly StageName[] = ['ingest', 'bridge', 'email', 'sms', 'webhook'];

/** CPU and memory of one process tree over a measured window. */
export interface ResourceFigure {
  peak_rss_mb: number;
  cpu_s: number;
  /** CPU seconds per 1000 messages (stages: per 1000 items of the stage's unit). */
  cpu_s_per_1k: number | null;
}

export interface SideDetail {
  /** What was measured, in the stage's unit per second. */
  rate: number;
  items: number;
  window_s: number;
  /** The supply ran out before the window ended (see README: method). */
  exhausted?: boolean;
  latency_ms?: { p50: number; p99: number; p999: number; max: number };
  errors?: number;
  /** The process tree that does this side's work (its figures are the ones in the table). */
  process: string;
  /** That process and, for context, the shared infrastructure (kafka, postgres, redis) and sinks. */
  resources: Record<string, ResourceFigure>;
}

export interface StageResult extends StageFigure {
  herald: SideDetail;
  bare: SideDetail;
  /** How the baseline was built, in one line. */
  baseline_is: string;
  /** Further baselines measured for context (not used for the ratio). */
  extra_baselines?: Record<string, SideDetail & { ratio: number | null; baseline_is: string }>;
}

type Latency = { p50: number; p99: number; max: number };
type Depth = { north_lag: number; notification_queue: number; email_queue: number; sms_queue: number; south_lag: number };

export interface E2eResult extends E2eFigure {
  offered_s: number;
  requests: number;
  accepted: number;
  errors: number;
  accepted_rate: number;
  deliveries: number;
  sent: number;
  /** Deliveries sent (tracking sent_at) per second while the load was offered. */
  sent_rate: number;
  /** 202 latency measured from the intended send time (open loop, no coordinated omission). */
  ingest_ms: { p50: number; p99: number; max: number } | null;
  /** The same 202 -> sent latency measured at the sinks' receive time instead of tracking's sent_at. */
  sink_ms: { p50: number; p99: number; max: number } | null;
  /** Where the 202 -> sent time goes, per delivery (tracking timestamps): to "queued" (ingest, Kafka, bridge), queued to "sending" (channel queue wait, ledger claim), sending to "sent" (provider call, ledger). */
  breakdown_ms: { to_queued: Latency | null; queued_to_sending: Latency | null; sending_to_sent: Latency | null };
  /** Consumer lag and waiting jobs at each hop when the load stopped, and their peaks. */
  backlog_at_offer_end: Depth | null;
  backlog_peak: Depth;
  backlog_slope: number;
  not_sustained_because: string[];
  search: boolean;
  resources: Record<string, ResourceFigure>;
}

export interface TimelinePoint {
  /** Seconds since the run at this rate started. */
  t: number;
  p50_ms: number | null;
  p99_ms: number | null;
  /** Deliveries sent (tracking sent_at) within this second. */
  sent: number;
  /** Deliveries accepted (202) within this second. */
  accepted: number;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gib: number;
  os: string;
  node: string;
  kafka: string;
  postgres: string;
  redis: string;
  commit: string;
  note: string;
  /** 1-minute load average when the run started and when it ended (others' work shows here). */
  load_average: { start: number; end: number | null };
}

export interface BenchResults {
  version: 1;
  started_at: string;
  finished_at: string;
  quick: boolean;
  command: string;
  options: Record<string, unknown>;
  machine: MachineInfo;
  mix: string;
  stages: Partial<Record<StageName, StageResult>>;
  e2e: E2eResult[];
  e2e_max_sustained_rate: number | null;
  targets: TargetCheck[];
  timeline: Record<string, TimelinePoint[]>;
  /** Stages that could not run, with the reason. */
  problems: string[];
}

export function latencyOf(summary: LatencySummary): { p50: number; p99: number; max: number } | null {
  return summary.count ? { p50: summary.p50, p99: summary.p99, max: summary.max } : null;
}
