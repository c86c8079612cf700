/**
 * Measuring a stage that drains a supply of work: poll a cumulative count (jobs queued, items
 * received by a sink) every 100 ms, until the warm-up and the measured window have passed (both
 * counted from the first item, or from when the process reported ready if that came later), or
 * the supply is used up, and turn the samples into a windowed rate.
 */
import { AbortedError, sleep, type BenchContext } from '../context';
import { INFRA_GROUPS, type ResourceMonitor } from '../resources';
import type { SideDetail } from '../results';
import { windowRate, type CountSample, type WindowRate } from '../stats';

export interface DrainMeasurement extends WindowRate {
  samples: CountSample[];
}

export async function measureDrain(
  ctx: BenchContext,
  label: string,
  read: () => Promise<number>,
  options: { total?: number; unit: string; readyAt: number; startTimeoutMs?: number },
): Promise<DrainMeasurement> {
  const warmupMs = ctx.options.warmupS * 1000;
  const durationMs = ctx.options.durationS * 1000;
  const samples: CountSample[] = [];
  const began = Date.now();
  let firstAt: number | undefined;
  for (;;) {
    if (ctx.aborted()) throw new AbortedError();
    const n = await read();
    const t = Date.now();
    samples.push({ t, n });
    if (n > 0 && firstAt === undefined) firstAt = Math.max(t, options.readyAt);
    const elapsed = firstAt === undefined ? 0 : (t - firstAt) / 1000;
    ctx.progress.update(`[${label}] ${elapsed.toFixed(0)}/${(warmupMs + durationMs) / 1000} s, ${n.toLocaleString('en-US')}${options.total ? ` of ${options.total.toLocaleString('en-US')}` : ''} ${options.unit}`);
    if (options.total !== undefined && n >= options.total) break;
    if (firstAt !== undefined && t - firstAt >= warmupMs + durationMs + 150) break;
    if (firstAt === undefined && t - began > (options.startTimeoutMs ?? 60_000)) throw new Error(`${label}: nothing happened within ${(options.startTimeoutMs ?? 60_000) / 1000} s`);
    await sleep(100);
  }
  const rate = windowRate(samples, { warmupMs, durationMs, notBefore: options.readyAt, ...(options.total === undefined ? {} : { total: options.total }) });
  if (!rate) throw new Error(`${label}: not enough samples to measure a rate`);
  return { ...rate, samples };
}

/** One side of a comparison: its measured rate and the resources of its process, the sink and the infrastructure. */
export function sideDetail(m: DrainMeasurement, monitor: ResourceMonitor, process: string): SideDetail {
  const all = monitor.figures(m.from, m.to, m.items);
  return {
    process,
    rate: m.rate,
    items: m.items,
    window_s: (m.to - m.from) / 1000,
    exhausted: m.exhausted,
    resources: Object.fromEntries([process, 'sink', ...Object.keys(INFRA_GROUPS)].flatMap((k) => (all[k] ? [[k, all[k]]] : []))),
  };
}
