/**
 * Where the time goes: summarizes V8 CPU profiles (node --cpu-prof, which `npm run bench --
 * --profile` turns on for the Herald services) into self time per module (an npm package, a
 * Herald library or app, a Node internal) and per function. Pure: profile in, summary out.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileLine {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time, ms. */
  totalMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  modules: ProfileLine[];
  functions: ProfileLine[];
}

/** The module a script URL belongs to: an npm package, a Herald project, or a Node internal. */
export function moduleOf(url: string, functionName = ''): string {
  if (!url) {
    if (/^\((garbage collector|idle|program|root)\)$/.test(functionName)) return functionName;
    return '(native)';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, url.includes('internal/') ? 3 : 1).join('/')}`;
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const herald = /\/(apps|libs|tools)\/([^/]+)\/(?:dist|src)\/(generated\/)?/.exec(path);
  if (herald) return herald[3] ? `@herald/${herald[2]} (generated Prisma client)` : herald[1] === 'apps' ? `app ${herald[2]}` : `@herald/${herald[2]}`;
  return path;
}

function location(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  const short = nm >= 0 ? path.slice(nm + '/node_modules/'.length) : path.replace(/^.*?\/(apps|libs|tools)\//, '$1/');
  return `${short}:${line + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): ProfileLine[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: total > 0 ? ms / total : 0 }));
}

export function summarizeProfile(profiles: readonly CpuProfile[], n = 15): ProfileSummary {
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const selfMs = new Map<number, number>();
    if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
      // timeDeltas[i] is the time before sample i: the time of sample i runs until the next one.
      for (let i = 0; i < profile.samples.length; i += 1) {
        const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
        const id = profile.samples[i] as number;
        selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
      }
    } else {
      const hits = profile.nodes.reduce((s, node) => s + (node.hitCount ?? 0), 0);
      const interval = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
      for (const node of profile.nodes) selfMs.set(node.id, (node.hitCount ?? 0) * interval);
    }
    for (const [id, ms] of selfMs) {
      const node = byId.get(id);
      if (!node || ms <= 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const module = moduleOf(url, functionName);
      totalMs += ms;
      if (module === '(idle)') {
        idleMs += ms;
        continue;
      }
      modules.set(module, (modules.get(module) ?? 0) + ms);
      const name = url ? `${functionName || '(anonymous)'} ${location(url, lineNumber)}` : functionName || '(native)';
      functions.set(name, (functions.get(name) ?? 0) + ms);
    }
  }
  const busyMs = totalMs - idleMs;
  return { totalMs: Math.round(totalMs), busyMs: Math.round(busyMs), modules: top(modules, busyMs, n), functions: top(functions, busyMs, n) };
}

export function formatSummary(title: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `${title}: ${(summary.busyMs / 1000).toFixed(1)} s of CPU sampled (${(summary.totalMs / 1000).toFixed(1)} s including idle)`,
    '  by module (self time):',
    ...summary.modules.map((m) => `    ${pct(m.share)}  ${m.name}`),
    '  by function (self time):',
    ...summary.functions.map((f) => `    ${pct(f.share)}  ${f.name}`),
  ].join('\n');
}
