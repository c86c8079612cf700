/**
 * CPU time and resident memory of process trees, sampled from /proc (Linux). A group is either
 * the trees under some root pids (a Herald service with its cluster workers, a baseline) or the
 * processes a matcher picks (Kafka's JVM, PostgreSQL's backends, Redis). Figures for a window are
 * the CPU seconds spent in it and the highest summed RSS seen in it.
 */
import { execFileSync } from 'node:child_process';
import { type ProcStat, processCommandLine, readAllStats } from '@herald/process';

export interface ResourceSample {
  t: number;
  cpuS: number;
  rssBytes: number;
}

/**
 * CPU seconds spent and peak RSS within [from, to] (ms timestamps), from a group's samples. CPU is
 * read between the samples closest to the window's ends at which the group had processes (a
 * process that started or ended inside the window is counted from its first or to its last sample).
 */
export function windowFigure(samples: readonly ResourceSample[], from: number, to: number): { cpuS: number; peakRssBytes: number } {
  const alive = samples.filter((s) => s.rssBytes > 0);
  const inside = alive.filter((s) => s.t >= from && s.t <= to);
  const before = [...alive].reverse().find((s) => s.t <= from) ?? inside[0];
  const after = alive.find((s) => s.t >= to) ?? inside[inside.length - 1];
  const cpuS = before && after ? Math.max(0, after.cpuS - before.cpuS) : 0;
  const peakRssBytes = Math.max(0, ...inside.map((s) => s.rssBytes), before?.rssBytes ?? 0, after?.rssBytes ?? 0);
  return { cpuS, peakRssBytes };
}

function sysconf(name: string, fallback: number): number {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

const CLK_TCK = sysconf('CLK_TCK', 100);
const PAGE_SIZE = sysconf('PAGESIZE', 4096);

export type GroupSpec =
  /** These processes and all their descendants. */
  | { roots: () => ReadonlyArray<number | undefined> }
  /** Exactly these processes (e.g. the bench itself, whose children are measured apart). */
  | { only: () => ReadonlyArray<number | undefined> }
  /** Every process the matcher picks. */
  | { match: (p: ProcStat, cmd: () => string) => boolean };

/** The infrastructure every stage shares, for context in the figures. */
export const INFRA_GROUPS: Record<string, GroupSpec> = {
  kafka: { match: (p, cmd) => p.comm === 'java' && cmd().includes('kafka.Kafka') },
  postgres: { match: (p) => p.comm === 'postgres' || p.comm.startsWith('postgres:') },
  redis: { match: (p) => p.comm === 'redis-server' },
};

export class ResourceMonitor {
  private readonly samples = new Map<string, ResourceSample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groups: Record<string, GroupSpec>,
    private readonly intervalMs = 250,
  ) {
    for (const name of Object.keys(groups)) this.samples.set(name, []);
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  /** Takes one sample now (also done on a timer). */
  sample(): void {
    const t = Date.now();
    const all = readAllStats();
    const children = new Map<number, number[]>();
    for (const p of all.values()) {
      const list = children.get(p.ppid) ?? [];
      list.push(p.pid);
      children.set(p.ppid, list);
    }
    for (const [name, spec] of Object.entries(this.groups)) {
      const pids = new Set<number>();
      if ('roots' in spec) {
        const stack = spec.roots().filter((p): p is number => typeof p === 'number' && all.has(p));
        while (stack.length) {
          const pid = stack.pop() as number;
          if (pids.has(pid)) continue;
          pids.add(pid);
          stack.push(...(children.get(pid) ?? []));
        }
      } else if ('only' in spec) {
        for (const p of spec.only()) if (typeof p === 'number' && all.has(p)) pids.add(p);
      } else {
        for (const p of all.values()) if (spec.match(p, () => processCommandLine(p.pid) ?? '')) pids.add(p.pid);
      }
      let ticks = 0;
      let pages = 0;
      for (const pid of pids) {
        const p = all.get(pid) as ProcStat;
        ticks += p.cpuTicks;
        pages += p.rssPages;
      }
      this.samples.get(name)?.push({ t, cpuS: ticks / CLK_TCK, rssBytes: pages * PAGE_SIZE });
    }
  }

  /** Per group: peak RSS (MB), CPU seconds, and CPU seconds per 1000 items, over [from, to]. */
  figures(from: number, to: number, items: number): Record<string, { peak_rss_mb: number; cpu_s: number; cpu_s_per_1k: number | null }> {
    const out: Record<string, { peak_rss_mb: number; cpu_s: number; cpu_s_per_1k: number | null }> = {};
    for (const [name, samples] of this.samples) {
      const f = windowFigure(samples, from, to);
      out[name] = {
        peak_rss_mb: Math.round((f.peakRssBytes / 1_048_576) * 10) / 10,
        cpu_s: Math.round(f.cpuS * 1000) / 1000,
        cpu_s_per_1k: items > 0 ? Math.round((f.cpuS / items) * 1000 * 1000) / 1000 : null,
      };
    }
    return out;
  }
}
