/**
 * Stage 4, end to end: the whole Herald (ingest-api cluster, kafka-bridge, email-worker,
 * sms-worker) on one machine with Kafka, Redis and PostgreSQL, delivering to the counting sinks.
 * Each offered rate runs open loop for a fixed time; then the backlog drains.
 *
 * Latency: per delivery, tracking's sent_at (the "sent" status users see, stamped by the worker)
 * minus the time the 202 arrived at the client. The sinks' receive times give the same figure
 * measured at the provider, as a cross-check. Sustained: accepted ~ offered, (almost) no errors,
 * a flat backlog (accepted deliveries not yet received by a sink) over the second half of the
 * run, and everything sent within the drain allowance.
 */
import { deliveryIdFor, type Channel } from '@herald/contracts';
import { createPrismaClient, type PrismaClient } from '@herald/tracking';
import { CORE_APPS, type CoreAppName } from '@herald/testing';
import { pollUntil, sleep, stageScope, startService, startSinks, startStack, type BenchContext, type Service, type SinkClient } from '../context';
import type { Scope } from '../scope';
import { offerLoad, type Offered } from '../loadgen';
import { formatMix, mixRequests } from '../mix';
import { INFRA_GROUPS, ResourceMonitor } from '../resources';
import { latencyOf, type E2eResult, type TimelinePoint } from '../results';
import { summarize } from '../stats';
import { judgeSustained, nextSearchRate, type BacklogSample } from '../verdicts';
import { PipelineProbe, peakDepth, type PipelineDepth } from './pipeline';

interface Env {
  ingestUrl: string;
  probe: PipelineProbe;
  prisma: PrismaClient;
  smtp: SinkClient;
  sms: SinkClient;
  monitor: ResourceMonitor;
  /** Deliveries a previous rate left unsent (a caveat for the next one). */
  carried: number;
}

export interface E2eOutcome {
  results: E2eResult[];
  timeline: Record<string, TimelinePoint[]>;
  maxSustained: number | null;
}

async function received(env: Env): Promise<number> {
  const [a, b] = await Promise.all([env.smtp.stats(), env.sms.stats()]);
  return a.count + b.count;
}

async function sentInTracking(env: Env, messageIds: string[]): Promise<number> {
  const rows = await env.prisma.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM deliveries WHERE message_id = ANY(${messageIds}::uuid[]) AND sent_at IS NOT NULL`;
  return rows[0]?.n ?? 0;
}

interface DeliveryTimes {
  queuedAt: number | null;
  sendingAt: number | null;
  sentAt: number | null;
}

/** When each delivery of these messages was queued (bridge), started sending and was sent (worker), from tracking. */
async function deliveryTimes(env: Env, messageIds: string[]): Promise<Map<string, DeliveryTimes>> {
  const rows = await env.prisma.$queryRaw<Array<{ id: string; queued_at: Date | null; sending_at: Date | null; sent_at: Date | null }>>`
    SELECT d.id::text AS id, d.queued_at, d.sent_at,
           (SELECT l.claimed_at FROM send_ledger l WHERE l.delivery_id = d.id) AS sending_at
    FROM deliveries d WHERE d.message_id = ANY(${messageIds}::uuid[])`;
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return new Map(rows.map((r) => [r.id, { queuedAt: ms(r.queued_at), sendingAt: ms(r.sending_at), sentAt: ms(r.sent_at) }]));
}

function timeline(runStart: number, end: number, accepted: ReadonlyArray<{ at: number; deliveries: number }>, latencies: ReadonlyArray<{ acceptedAt: number; sentAt: number }>): TimelinePoint[] {
  const seconds = Math.max(1, Math.ceil((end - runStart) / 1000));
  const points: Array<TimelinePoint & { lat: number[] }> = Array.from({ length: seconds }, (_, t) => ({ t, p50_ms: null, p99_ms: null, sent: 0, accepted: 0, lat: [] }));
  const at = (ms: number) => points[Math.min(seconds - 1, Math.max(0, Math.floor((ms - runStart) / 1000)))];
  for (const a of accepted) {
    const p = at(a.at);
    if (p) p.accepted += a.deliveries;
  }
  for (const l of latencies) {
    at(l.acceptedAt)?.lat.push(l.sentAt - l.acceptedAt);
    const p = at(l.sentAt);
    if (p) p.sent += 1;
  }
  return points.map(({ lat, ...p }) => {
    const s = summarize(lat);
    return { ...p, p50_ms: s.count ? s.p50 : null, p99_ms: s.count ? s.p99 : null };
  });
}

async function runRate(ctx: BenchContext, env: Env, rate: number, search: boolean): Promise<{ result: E2eResult; points: TimelinePoint[] }> {
  const { options } = ctx;
  const count = Math.max(1, Math.round(rate * options.e2eDurationS));
  const bodies = mixRequests(options.mix, count).map((r) => ({ text: JSON.stringify(r), channels: r.channels as Channel[] }));
  const label = `[e2e ${rate}/s${search ? ' search' : ''}]`;
  const before = await received(env);
  const samples: BacklogSample[] = [];
  let acceptedDeliveries = 0;
  let sentSoFar = 0;
  let answeredSoFar = 0;
  const runStart = Date.now();
  const depths: Array<PipelineDepth & { t: number }> = [];
  let reading = false;
  const depthSampler = setInterval(() => {
    if (reading) return;
    reading = true;
    void env.probe
      .read()
      .then((d) => depths.push({ ...d, t: Date.now() - runStart }))
      .catch(() => undefined)
      .finally(() => {
        reading = false;
      });
  }, 1_000);
  const sampler = setInterval(() => {
    void received(env).then(
      (n) => {
        const backlog = Math.max(0, acceptedDeliveries - (n - before));
        samples.push({ t: Date.now() - runStart, backlog });
        ctx.progress.update(`${label} ${((Date.now() - runStart) / 1000).toFixed(0)}/${options.e2eDurationS} s offered, ${answeredSoFar.toLocaleString('en-US')} answered of ${sentSoFar.toLocaleString('en-US')} sent, ${(n - before).toLocaleString('en-US')} deliveries received, backlog ${backlog.toLocaleString('en-US')}`);
      },
      () => undefined,
    );
  }, 500);

  let offered: Offered[];
  try {
    offered = await offerLoad({
      url: env.ingestUrl,
      rate,
      seconds: options.e2eDurationS,
      bodies,
      aborted: ctx.aborted,
      onProgress: (sent, answered) => {
        sentSoFar = sent;
        answeredSoFar = answered;
      },
      onAnswer: (answer) => {
        if (answer.status === 202) acceptedDeliveries += answer.channels.length;
      },
    });
  } finally {
    clearInterval(sampler);
  }
  const depthAtOfferEnd = depths.at(-1) ?? null;
  const accepted = offered.filter((o) => o.status === 202 && o.id);
  acceptedDeliveries = accepted.reduce((s, o) => s + o.channels.length, 0);
  const offerEnd = Date.now();
  const offeredS = (offerEnd - runStart) / 1000;

  // Drain: the sinks have everything, then tracking has every sent_at.
  const drained = await pollUntil(ctx, () => received(env), (n) => n - before >= acceptedDeliveries, {
    intervalMs: 250,
    timeoutMs: options.drainS * 1000,
    onSample: (n) => ctx.progress.update(`${label} draining: ${(n - before).toLocaleString('en-US')} of ${acceptedDeliveries.toLocaleString('en-US')} deliveries received`),
  });
  const ids = accepted.map((o) => o.id as string);
  const tracked = await pollUntil(ctx, () => sentInTracking(env, ids), (n) => n >= acceptedDeliveries, {
    intervalMs: 500,
    timeoutMs: drained.timedOut ? 2_000 : 15_000,
    onSample: (n) => ctx.progress.update(`${label} waiting for tracking: ${n.toLocaleString('en-US')} of ${acceptedDeliveries.toLocaleString('en-US')} deliveries marked sent`),
  });
  const drainEnd = Date.now();
  clearInterval(depthSampler);
  const times = await deliveryTimes(env, ids);
  const receipts = new Map([...(await env.smtp.receipts()), ...(await env.sms.receipts())]);

  const latencies: Array<{ acceptedAt: number; sentAt: number }> = [];
  const sinkLatencies: number[] = [];
  const segments = { to_queued: [] as number[], queued_to_sending: [] as number[], sending_to_sent: [] as number[] };
  for (const o of accepted) {
    for (const channel of o.channels) {
      const deliveryId = deliveryIdFor(o.id as string, channel);
      const t = times.get(deliveryId);
      if (t?.sentAt != null) latencies.push({ acceptedAt: o.answered, sentAt: t.sentAt });
      if (t?.queuedAt != null) segments.to_queued.push(t.queuedAt - o.answered);
      if (t?.queuedAt != null && t.sendingAt != null) segments.queued_to_sending.push(t.sendingAt - t.queuedAt);
      if (t?.sendingAt != null && t.sentAt != null) segments.sending_to_sent.push(t.sentAt - t.sendingAt);
      const got = receipts.get(deliveryId);
      if (got !== undefined) sinkLatencies.push(got - o.answered);
    }
  }
  const latency = summarize(latencies.map((l) => l.sentAt - l.acceptedAt));
  const ingest = summarize(offered.filter((o) => o.status === 202).map((o) => o.answered - o.intended));
  const verdict = judgeSustained({
    offeredRate: rate,
    acceptedRate: accepted.length / options.e2eDurationS,
    errors: offered.length - accepted.length,
    requests: offered.length,
    deliveriesPerMessage: accepted.length ? acceptedDeliveries / accepted.length : 1,
    samples,
    drained: !drained.timedOut && !tracked.timedOut,
  });
  const reasons = [...verdict.reasons];
  if (env.carried > 0) reasons.push(`started with ${env.carried} deliveries left unsent by the previous rate`);
  env.carried = drained.timedOut ? Math.max(0, acceptedDeliveries - (drained.value - before)) : 0;
  const resources = env.monitor.figures(runStart, drainEnd, accepted.length);
  const result: E2eResult = {
    rate,
    p50_ms: latency.count ? latency.p50 : null,
    p99_ms: latency.count ? latency.p99 : null,
    max_ms: latency.count ? latency.max : null,
    sustained: reasons.length === 0,
    offered_s: Math.round(offeredS * 10) / 10,
    requests: offered.length,
    accepted: accepted.length,
    errors: offered.length - accepted.length,
    accepted_rate: accepted.length / options.e2eDurationS,
    deliveries: acceptedDeliveries,
    sent: latencies.length,
    sent_rate: latencies.filter((l) => l.sentAt <= offerEnd).length / offeredS,
    ingest_ms: latencyOf(ingest),
    sink_ms: latencyOf(summarize(sinkLatencies)),
    breakdown_ms: Object.fromEntries(Object.entries(segments).map(([k, v]) => [k, latencyOf(summarize(v))])) as E2eResult['breakdown_ms'],
    backlog_at_offer_end: depthAtOfferEnd ? (({ t: _t, ...d }) => d)(depthAtOfferEnd) : null,
    backlog_peak: peakDepth(depths),
    backlog_slope: Math.round(verdict.slope * 10) / 10,
    not_sustained_because: reasons,
    search,
    resources,
  };
  const points = timeline(runStart, drainEnd, accepted.map((o) => ({ at: o.answered, deliveries: o.channels.length })), latencies);
  const seg = (k: keyof E2eResult['breakdown_ms']) => {
    const x = result.breakdown_ms[k];
    return x ? `${Math.round(x.p50)}/${Math.round(x.p99)}` : 'n/a';
  };
  const end = result.backlog_at_offer_end;
  ctx.progress.log(
    [
      `  e2e ${rate} msg/s${search ? ' (search)' : ''}: accepted ${Math.round(result.accepted_rate)}/s, sent ${Math.round(result.sent_rate)} deliveries/s; 202->sent p50 ${Math.round(result.p50_ms ?? Number.NaN)} ms, p99 ${Math.round(result.p99_ms ?? Number.NaN)} ms, max ${Math.round(result.max_ms ?? Number.NaN)} ms; ${result.sustained ? 'sustained' : `NOT sustained (${reasons.join('; ')})`}`,
      `    p50/p99 ms: 202->queued ${seg('to_queued')}, queued->sending ${seg('queued_to_sending')}, sending->sent ${seg('sending_to_sent')}; 202 after ${result.ingest_ms ? `${Math.round(result.ingest_ms.p50)}/${Math.round(result.ingest_ms.p99)}` : 'n/a'}`,
      end ? `    backlog when the load stopped: north lag ${end.north_lag}, NotificationQueue ${end.notification_queue}, EmailQueue ${end.email_queue}, SmsQueue ${end.sms_queue}, south lag ${end.south_lag}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return { result, points };
}

/** A whole Herald with its sinks and probes, in its own scope. */
async function setUp(ctx: BenchContext, scope: Scope): Promise<Env> {
  ctx.progress.update('[e2e] starting the whole Herald');
  const sinks = await startSinks(scope, 'bench-e2e');
  const stack = await startStack(ctx, scope, 'e2e');
  const env: Record<CoreAppName, Record<string, string>> = {
    'ingest-api': {},
    'kafka-bridge': {},
    'email-worker': { SMTP_URL: sinks.smtpUrl as string },
    'sms-worker': { SMS_PROVIDER_URL: sinks.smsUrl as string },
  };
  const services = await Promise.all(CORE_APPS.map((app) => startService(ctx, scope, stack, app, env[app])));
  const service = Object.fromEntries(CORE_APPS.map((app, i) => [app, services[i] as Service])) as Record<CoreAppName, Service>;
  const prisma = createPrismaClient({ databaseUrl: stack.database.url, poolSize: 2 });
  scope.add('prisma', () => prisma.$disconnect());
  const pid = (app: CoreAppName) => () => [service[app].process.pid];
  const monitor = new ResourceMonitor({
    'ingest-api': { roots: pid('ingest-api') },
    'kafka-bridge': { roots: pid('kafka-bridge') },
    'email-worker': { roots: pid('email-worker') },
    'sms-worker': { roots: pid('sms-worker') },
    ...INFRA_GROUPS,
    sinks: { roots: () => sinks.pids },
    'load generator': { only: () => [process.pid] },
  }).start();
  scope.add('monitor', () => monitor.stop());
  const probe = new PipelineProbe(stack);
  scope.add('probe', () => probe.close());
  const run: Env = { ingestUrl: service['ingest-api'].url, probe, prisma, smtp: sinks.smtp as SinkClient, sms: sinks.sms as SinkClient, monitor, carried: 0 };
  // A short warm-up so that the first rate does not pay for JIT compilation and new connections.
  const warm = mixRequests(ctx.options.mix, 50).map((r) => ({ text: JSON.stringify(r), channels: r.channels as Channel[] }));
  await offerLoad({ url: run.ingestUrl, rate: 100, seconds: Math.min(5, ctx.options.warmupS + 1), bodies: warm, aborted: ctx.aborted });
  await pollUntil(ctx, () => received(run), (n) => n >= 50, { intervalMs: 250, timeoutMs: 15_000 });
  await sleep(2_000);
  return run;
}

export async function runE2e(ctx: BenchContext): Promise<E2eOutcome> {
  const outcome: E2eOutcome = { results: [], timeline: {}, maxSustained: null };
  let scope = stageScope(ctx, 'e2e');
  try {
    let run = await setUp(ctx, scope);
    ctx.progress.log(`  e2e: mix ${formatMix(ctx.options.mix)}, ${ctx.options.e2eDurationS} s per rate, ingest-api with ${ctx.options.webConcurrency} workers`);
    const one = async (rate: number, search: boolean) => {
      if (run.carried > 0) {
        // The previous rate left work behind: give the next one a fresh Herald rather than a backlog.
        ctx.progress.log(`  e2e: ${run.carried} deliveries were still unsent; starting a fresh Herald for ${rate} msg/s`);
        const failures = await scope.close();
        ctx.problems.push(...failures.map((f) => `e2e cleanup: ${f}`));
        scope = stageScope(ctx, 'e2e');
        run = await setUp(ctx, scope);
      }
      const { result, points } = await runRate(ctx, run, rate, search);
      outcome.results.push(result);
      outcome.timeline[`${rate}/s`] = points;
      await sleep(2_000);
    };
    for (const rate of ctx.options.rates) await one(rate, false);
    if (ctx.options.search) {
      for (let probe = 0; probe < 6; probe += 1) {
        const next = nextSearchRate(outcome.results, { ceiling: ctx.options.maxRate });
        if (next === null || outcome.results.some((r) => r.rate === next)) break;
        await one(next, true);
      }
    }
    const ok = outcome.results.filter((r) => r.sustained).map((r) => r.rate);
    outcome.maxSustained = ok.length ? Math.max(...ok) : null;
    return outcome;
  } finally {
    const failures = await scope.close();
    ctx.problems.push(...failures.map((f) => `e2e cleanup: ${f}`));
  }
}
