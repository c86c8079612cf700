/**
 * Turns results into what people read: the tables (Markdown, column-aligned so that they read
 * the same in a terminal), the README block between markers, and the plot. Pure.
 */
import type { BenchResults, E2eResult, StageName, StageResult } from './results';
import { round } from './stats';
import { PALETTE, renderPlot, type Panel, type Series } from './svg';
import { TARGETS } from './verdicts';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

const STAGE_TITLES: Record<StageName, string> = {
  ingest: 'Ingest: POST /v1/North, ingest-api cluster vs bare Fastify + kafkajs',
  bridge: 'Bridge: north-updates to queued deliveries vs bare kafkajs consumer + BullMQ addBulk',
  email: 'Email worker: sent to SMTP vs bare nodemailer pooled loop',
  sms: 'SMS worker: sent to the HTTP gateway vs bare fetch loop',
  webhook: 'Webhook worker: signed calls to an HTTP receiver vs bare signed fetch loop',
};

const num = (v: number | null | undefined, digits = 3): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const r = round(v, digits);
  return Math.abs(r) >= 1000 ? Math.round(r).toLocaleString('en-US') : String(r);
};
const pct = (r: number | null): string => (r === null ? 'n/a' : `${Math.round(r * 100)}%`);
const ms = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${num(v, 3)} ms`);

/** A Markdown table whose columns are padded to the same width. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: ReadonlyArray<'l' | 'r'> = []): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'r' ? s.padStart(widths[i] as number) : s.padEnd(widths[i] as number));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function targetCell(stage: StageName, r: StageResult): string {
  const want = TARGETS[stage];
  if (r.ratio === null) return `>= ${Math.round(want * 100)}%: n/a`;
  return `>= ${Math.round(want * 100)}%: ${r.ratio >= want ? 'met' : 'MISSED'}`;
}

/** CPU per 1000 items and peak RSS of the process tree that does each side's work. */
function own(side: StageResult['herald']): { cpu: number | null; rss: number | null } {
  const r = side.resources[side.process];
  return { cpu: r?.cpu_s_per_1k ?? null, rss: r ? r.peak_rss_mb : null };
}

function cpuCell(r: StageResult): string {
  return `${num(own(r.herald).cpu, 2)} / ${num(own(r.bare).cpu, 2)}`;
}

function rssCell(r: StageResult): string {
  return `${num(own(r.herald).rss)} / ${num(own(r.bare).rss)}`;
}

export function stageTable(results: BenchResults): string | null {
  const rows: string[][] = [];
  for (const stage of ['ingest', 'bridge', 'email', 'sms', 'webhook'] as const) {
    const r = results.stages[stage];
    if (!r) continue;
    rows.push([STAGE_TITLES[stage], `${num(r.value)} ${r.unit}`, `${num(r.baseline)} ${r.unit}`, pct(r.ratio), targetCell(stage, r), cpuCell(r), rssCell(r)]);
  }
  if (rows.length === 0) return null;
  return markdownTable(['Stage', 'Herald', 'Bare library', 'Ratio', 'Target', 'CPU s/1k (Herald / bare)', 'Peak RSS MB (Herald / bare)'], rows, ['l', 'r', 'r', 'r', 'l', 'r', 'r']);
}

export function ingestLatencyLine(results: BenchResults): string | null {
  const r = results.stages.ingest;
  if (!r?.herald.latency_ms || !r.bare.latency_ms) return null;
  const l = (x: NonNullable<StageResult['herald']['latency_ms']>) => `${num(x.p50)} / ${num(x.p99)} / ${num(x.p999)} ms`;
  const extra = Object.entries(r.extra_baselines ?? {})
    .map(([name, x]) => `; ${name} baseline ${num(x.rate)} req/s (Herald ${pct(x.ratio)} of it)${x.latency_ms ? `, ${l(x.latency_ms)}` : ''}`)
    .join('');
  return `Ingest latency p50 / p99 / p99.9 under full load: Herald ${l(r.herald.latency_ms)}, bare ${l(r.bare.latency_ms)}; errors: Herald ${r.herald.errors ?? 0}, bare ${r.bare.errors ?? 0}${extra}.`;
}

export function e2eTable(results: BenchResults): string | null {
  if (results.e2e.length === 0) return null;
  const rows = results.e2e.map((e: E2eResult) => [
    `${e.rate}${e.search ? ' (search)' : ''}`,
    num(e.accepted_rate),
    num(e.sent_rate),
    ms(e.p50_ms),
    ms(e.p99_ms),
    ms(e.max_ms),
    e.sustained ? 'yes' : `no (${e.not_sustained_because.join('; ')})`,
  ]);
  return markdownTable(['Offered msg/s', 'Accepted msg/s', 'Sent deliveries/s', 'p50 202->sent', 'p99 202->sent', 'max 202->sent', 'Sustained'], rows, ['r', 'r', 'r', 'r', 'r', 'r', 'l']);
}

/** Resources of each service during the e2e run at the target rate (or the highest sustained one). */
export function resourceTable(results: BenchResults): { title: string; table: string } | null {
  const pick = results.e2e.find((e) => e.rate === TARGETS.cpuRate && !e.search) ?? results.e2e.filter((e) => e.sustained).at(-1) ?? results.e2e[0];
  if (!pick) return null;
  const rows = Object.entries(pick.resources).map(([name, r]) => [name, num(r.peak_rss_mb), num(r.cpu_s, 3), r.cpu_s_per_1k === null ? 'n/a' : num(r.cpu_s_per_1k, 3)]);
  if (rows.length === 0) return null;
  return {
    title: `Resources during the end-to-end run at ${pick.rate} msg/s (${num(pick.offered_s)} s offered; ${pick.accepted.toLocaleString('en-US')} messages)`,
    table: markdownTable(['Process', 'Peak RSS (MB)', 'CPU s', 'CPU s / 1000 messages'], rows, ['l', 'r', 'r', 'r']),
  };
}

export function machineLine(results: BenchResults): string {
  const m = results.machine;
  const load = m.load_average ? ` Load average (1 min) ${m.load_average.start} at the start, ${m.load_average.end ?? 'n/a'} at the end.` : '';
  return `Measured ${results.started_at.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), ${m.memory_gib} GiB, ${m.os}; Node ${m.node}, Kafka ${m.kafka}, PostgreSQL ${m.postgres}, Redis ${m.redis}; commit ${m.commit}. ${m.note}${load}`;
}

/** Everything a reader needs, as Markdown (also what the terminal shows). */
export function renderTables(results: BenchResults): string {
  const parts: string[] = [];
  const stages = stageTable(results);
  if (stages) {
    parts.push(`**Stages, each next to the bare library doing the same work** (message mix: ${results.mix})`, '', stages, '');
    const latency = ingestLatencyLine(results);
    if (latency) parts.push(latency, '');
  }
  const e2e = e2eTable(results);
  if (e2e) {
    parts.push(`**End to end: POST /v1/North -> sent** (202 arrival to tracking's sent_at per delivery; mix: ${results.mix})`, '', e2e, '');
    parts.push(`Highest sustained rate without a growing backlog: ${results.e2e_max_sustained_rate === null ? 'none of the rates tried' : `${results.e2e_max_sustained_rate} msg/s`}${results.quick ? ' (quick run: only the fixed rates were tried)' : ''}.`, '');
  }
  const resources = resourceTable(results);
  if (resources) parts.push(`**${resources.title}**`, '', resources.table, '');
  if (results.targets.length) {
    parts.push(`Targets: ${results.targets.map((t) => `${t.target}: ${t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'} (${t.detail})`).join('; ')}.`, '');
  }
  if (results.problems.length) parts.push(`Problems: ${results.problems.join('; ')}.`, '');
  parts.push(machineLine(results), '', `Reproduce: \`${results.command}\`${results.quick ? ' (this was a --quick run)' : ''}.`);
  return parts.join('\n');
}

/**
 * Replaces what lies between the bench markers (keeping the markers); null when the text does
 * not have both markers in order.
 */
export function replaceBetweenMarkers(text: string, content: string, start = README_START, end = README_END): string | null {
  const a = text.indexOf(start);
  const b = text.indexOf(end, a + start.length);
  if (a < 0 || b < 0) return null;
  return `${text.slice(0, a + start.length)}\n${content.trim()}\n${text.slice(b)}`;
}

/** The plot: e2e latency over time, e2e throughput over time, and each stage against its baseline. */
export function buildPlot(results: BenchResults): string {
  const panels: Panel[] = [];
  const runs = Object.entries(results.timeline);
  if (runs.length) {
    const latency: Series[] = [];
    const throughput: Series[] = [];
    runs.forEach(([label, points], i) => {
      const color = PALETTE[i % PALETTE.length] as string;
      latency.push({ label: `${label} p99`, color, points: points.filter((p) => p.p99_ms !== null).map((p) => [p.t, p.p99_ms as number] as const) });
      latency.push({ label: `${label} p50`, color, dashed: true, points: points.filter((p) => p.p50_ms !== null).map((p) => [p.t, p.p50_ms as number] as const) });
      throughput.push({ label: `${label} sent`, color, points: points.map((p) => [p.t, p.sent] as const) });
      throughput.push({ label: `${label} accepted`, color, dashed: true, points: points.map((p) => [p.t, p.accepted] as const) });
    });
    panels.push(
      { kind: 'line', title: 'End to end: latency from 202 to sent, by second of acceptance', xLabel: 'seconds since the run at this rate started', yLabel: 'ms', log: true, series: latency },
      { kind: 'line', title: 'End to end: deliveries accepted (dashed) and sent (solid) per second', xLabel: 'seconds since the run at this rate started', yLabel: 'deliveries / s', series: throughput },
    );
  }
  const groups = (['ingest', 'bridge', 'email', 'sms', 'webhook'] as const).flatMap((stage) => {
    const r = results.stages[stage];
    if (!r) return [];
    return [
      {
        label: `${stage} (${pct(r.ratio)} of bare)`,
        bars: [
          { label: 'Herald', value: r.value, color: PALETTE[0] as string, text: `${num(r.value)} ${r.unit}` },
          { label: 'bare', value: r.baseline, color: '#999999', text: `${num(r.baseline)} ${r.unit}` },
        ],
      },
    ];
  });
  if (groups.length) panels.push({ kind: 'bars', title: 'Throughput of each stage: Herald vs the bare library', groups });
  return renderPlot({
    title: `Herald benchmark${results.quick ? ' (quick)' : ''}`,
    subtitle: `${results.started_at.slice(0, 16).replace('T', ' ')} UTC · ${results.machine.cpu}, ${results.machine.cores} cores · mix ${results.mix}`,
    panels,
  });
}
