/**
 * Stage 1, ingest: autocannon POSTs the message mix to /v1/North of the ingest-api cluster, and
 * of the bare Fastify + kafkajs baseline (same number of processes, same topic, same Kafka
 * durability), for the same duration after the same warm-up. Figures: 202s per second, latency
 * p50/p99/p99.9, errors (connection errors, timeouts and non-2xx answers), CPU and RSS.
 */
import autocannon from 'autocannon';
import { Topics, topicName } from '@herald/contracts';
import { freePort } from '@herald/testing';
import { BENCH_AUTHORIZATION, sleep, stageScope, startProc, startService, startStack, type BenchContext } from '../context';
import { mixRequests } from '../mix';
import { INFRA_GROUPS, ResourceMonitor, type GroupSpec } from '../resources';
import type { SideDetail, StageResult } from '../results';
import { ratio } from '../stats';

interface Load {
  rate: number;
  items: number;
  windowS: number;
  latency: { p50: number; p99: number; p999: number; max: number };
  errors: number;
  from: number;
  to: number;
}

function cannon(ctx: BenchContext, label: string, url: string, bodies: readonly string[], seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', authorization: BENCH_AUTHORIZATION };
    let done = 0;
    const start = Date.now();
    const instance = autocannon(
      {
        url: `${url}/v1/North`,
        method: 'POST',
        headers,
        connections: ctx.options.connections,
        duration: seconds,
        timeout: 10,
        requests: bodies.map((body) => ({ method: 'POST' as const, path: '/v1/North', headers, body })),
      },
      (error: unknown, result: autocannon.Result) => {
        clearInterval(timer);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
    instance.on('response', () => {
      done += 1;
    });
    const timer = setInterval(() => {
      const s = (Date.now() - start) / 1000;
      ctx.progress.update(`[ingest] ${label}: ${s.toFixed(0)}/${seconds} s, ${done.toLocaleString('en-US')} responses, ${Math.round(done / Math.max(s, 0.001))} req/s`);
      if (ctx.aborted()) instance.stop();
    }, 500);
  });
}

async function load(ctx: BenchContext, label: string, url: string, bodies: readonly string[]): Promise<Load> {
  await cannon(ctx, `${label} warm-up`, url, bodies, ctx.options.warmupS);
  await sleep(500);
  const from = Date.now();
  const r = await cannon(ctx, label, url, bodies, ctx.options.durationS);
  const to = Date.now();
  const ok = r['2xx'];
  return {
    rate: ok / r.duration,
    items: ok,
    windowS: r.duration,
    latency: { p50: r.latency.p50, p99: r.latency.p99, p999: r.latency.p99_9, max: r.latency.max },
    errors: r.errors + r.non2xx,
    from,
    to,
  };
}

function detail(l: Load, monitor: ResourceMonitor, groups: readonly string[]): SideDetail {
  const all = monitor.figures(l.from, l.to, l.items);
  return {
    process: groups[0] as string,
    rate: l.rate,
    items: l.items,
    window_s: l.windowS,
    latency_ms: l.latency,
    errors: l.errors,
    resources: Object.fromEntries(groups.flatMap((g) => (all[g] ? [[g, all[g]]] : []))),
  };
}

export async function runIngest(ctx: BenchContext): Promise<StageResult> {
  const scope = stageScope(ctx, 'ingest');
  try {
    ctx.progress.update('[ingest] starting ingest-api and the baseline');
    const stack = await startStack(ctx, scope, 'ingest');
    const ingest = await startService(ctx, scope, stack, 'ingest-api');
    const topic = topicName(Topics.North, stack.topicPrefix);
    const brokers = stack.services.kafkaBrokers.join(',');
    const baselines: Record<string, string> = {};
    const pids: Record<string, () => Array<number | undefined>> = { 'ingest-api': () => [ingest.process.pid] };
    for (const mode of ['send', 'batched'] as const) {
      const port = await freePort();
      const proc = await startProc(
        scope,
        stack.name,
        'ingest-baseline',
        ['--port', String(port), '--brokers', brokers, '--topic', topic, '--workers', String(ctx.options.webConcurrency), '--mode', mode],
        `http://127.0.0.1:${port}/readyz`,
      );
      baselines[mode] = `http://127.0.0.1:${port}`;
      pids[`bare-${mode}`] = () => [proc.pid];
    }
    const groups: Record<string, GroupSpec> = { ...Object.fromEntries(Object.entries(pids).map(([k, roots]) => [k, { roots }])), ...INFRA_GROUPS };
    const monitor = new ResourceMonitor(groups).start();
    scope.add('monitor', () => monitor.stop());
    const bodies = mixRequests(ctx.options.mix, 100).map((r) => JSON.stringify(r));

    // The baseline for the ratio is the stronger of the two bare variants: with an idempotent
    // producer kafkajs holds one request in flight per broker, so a send per request measures
    // that lock more than anything else (it is reported too, as context).
    const bare = await load(ctx, 'bare Fastify + kafkajs (batched sends)', baselines.batched as string, bodies);
    const herald = await load(ctx, 'ingest-api', ingest.url, bodies);
    const naive = await load(ctx, 'bare Fastify + kafkajs (send per request)', baselines.send as string, bodies);
    monitor.stop();
    const infra = Object.keys(INFRA_GROUPS);
    const naiveDetail = detail(naive, monitor, ['bare-send', ...infra]);
    return {
      value: herald.rate,
      baseline: bare.rate,
      ratio: ratio(herald.rate, bare.rate),
      unit: 'req/s',
      herald: detail(herald, monitor, ['ingest-api', ...infra]),
      bare: detail(bare, monitor, ['bare-batched', ...infra]),
      baseline_is: `bare Fastify route + kafkajs idempotent producer (acks -1, the durability of ingest-api), requests arriving while a send is in flight share the next sendBatch() (group commit, ~20 lines), ${ctx.options.webConcurrency} processes (node:cluster), no validation, logging or metrics`,
      extra_baselines: {
        'send per request': {
          ...naiveDetail,
          ratio: ratio(herald.rate, naive.rate),
          baseline_is: 'the same bare route with one producer.send() per request, as the kafkajs docs show it (the idempotent producer then holds one request in flight per broker)',
        },
      },
    };
  } finally {
    const failures = await scope.close();
    ctx.problems.push(...failures.map((f) => `ingest cleanup: ${f}`));
  }
}
