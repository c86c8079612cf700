/**
 * What every stage shares: the options, the progress line, the scope that stops what was started,
 * and helpers to start Herald services, baselines and sinks as real processes (through the test
 * harness's ManagedProcess, logs under the results folder).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldStack, ManagedProcess, freePort, repoRoot, type AppName } from '@herald/testing';
import type { BenchOptions } from './options';
import type { Progress } from './progress';
import { Scope } from './scope';

export interface BenchContext {
  options: BenchOptions;
  progress: Progress;
  /** Closed on exit and on Ctrl-C. */
  root: Scope;
  resultsDir: string;
  /** Problems that did not stop the run (reported with the results). */
  problems: string[];
  /** True once Ctrl-C was pressed: stages stop at the next check. */
  aborted: () => boolean;
}

export class AbortedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AbortedError';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A scope for one stage, itself registered in the root scope (closed on Ctrl-C too). */
export function stageScope(ctx: BenchContext, name: string): Scope {
  const scope = new Scope(name);
  ctx.root.add(`stage ${name}`, () => scope.close());
  return scope;
}

/** Production defaults that the test harness overrides for tests (it gives every service a pool of 4). */
const POOL_SIZE: Record<AppName, string> = { 'ingest-api': '4', 'kafka-bridge': '8', 'email-worker': '10', 'sms-worker': '10', 'receipts-api': '4', 'webhook-worker': '10' };

/**
 * node flags for a Herald service: --cpu-prof when profiling (Node 20 refuses it in NODE_OPTIONS;
 * cluster workers inherit it through execArgv, each writing its own profile).
 */
function nodeFlags(ctx: BenchContext, label: string): string[] {
  if (!ctx.options.profile) return [];
  const dir = join(ctx.resultsDir, 'profiles', label);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/**
 * An isolated Herald for one stage: its own database (cloned from the migrated template), topics
 * and queue prefix, from the test harness. The services are started with startService, not by the
 * harness, so that the bench controls their node flags and production defaults.
 */
export async function startStack(ctx: BenchContext, scope: Scope, name: string): Promise<HeraldStack> {
  // No MailDev or SMS sink: the bench brings its own counting sinks.
  const stack = await HeraldStack.start({ name: `bench-${name}`, apps: [], partitions: ctx.options.partitions, sinks: false });
  scope.add(`stack ${name}`, () => stack.stop());
  return stack;
}

export interface Service {
  process: ManagedProcess;
  /** ingest-api: its API; the others: their health server. */
  url: string;
}

/**
 * Starts one Herald service (apps/<app>/dist/main.js) against a stack's database, topics and
 * queues, with the production defaults (LOG_LEVEL from --log-level, the ingest-api cluster with
 * --web-concurrency workers), and waits for /readyz. `onSpawn` gets the pid as soon as it exists.
 */
/** The API key the bench's client sends (Authorization: Bearer). */
export const BENCH_API_KEY = 'bench-key-0123456789abcdef0123456789';
export const BENCH_AUTHORIZATION = `Bearer ${BENCH_API_KEY}`;

export async function startService(
  ctx: BenchContext,
  scope: Scope,
  stack: HeraldStack,
  app: AppName,
  env: Record<string, string> = {},
  onSpawn?: (pid: number | undefined) => void,
): Promise<Service> {
  const port = await freePort();
  const own: Record<string, string> =
    app === 'ingest-api'
      ? // Authentication on, as in production; rate limits off: the bench offers more than any client's default rate on purpose.
        { PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: String(ctx.options.webConcurrency), API_KEYS: `bench:${BENCH_API_KEY}`, RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_GLOBAL: '0' }
      : { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' };
  const process = new ManagedProcess({
    name: app,
    args: [...nodeFlags(ctx, `${stack.name.replace(/^bench-/, '')}-${app}`), join(repoRoot, 'apps', app, 'dist', 'main.js')],
    env: {
      LOG_LEVEL: ctx.options.logLevel,
      KAFKA_BROKERS: stack.services.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: stack.topicPrefix,
      REDIS_URL: stack.services.redisUrl,
      QUEUE_PREFIX: stack.queuePrefix,
      DATABASE_URL: stack.database.url,
      DATABASE_POOL_SIZE: POOL_SIZE[app],
      SHUTDOWN_GRACE_MS: '15000',
      ...own,
      ...env,
    },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    logGroup: stack.name,
  });
  scope.add(app, () => process.stop());
  const started = process.start();
  onSpawn?.(process.pid);
  await started;
  return { process, url: `http://127.0.0.1:${port}` };
}

/** Starts one of the bench's own processes (dist/procs/<script>.js). */
export async function startProc(scope: Scope, logGroup: string, script: string, args: string[], readyUrl: string, onSpawn?: (pid: number | undefined) => void): Promise<ManagedProcess> {
  const process = new ManagedProcess({ name: script, args: [join(__dirname, 'procs', `${script}.js`), ...args], env: {}, readyUrl, logGroup });
  scope.add(script, () => process.stop());
  // The pid exists as soon as the process is spawned: measure it from then, not from ready.
  const started = process.start();
  onSpawn?.(process.pid);
  await started;
  return process;
}

export interface SinkStats {
  count: number;
  first: number;
  last: number;
}

/** The counting sinks' HTTP API (procs/receipts.ts). */
export class SinkClient {
  constructor(readonly url: string) {}

  async stats(): Promise<SinkStats> {
    const response = await fetch(new URL('/stats', this.url));
    return (await response.json()) as SinkStats;
  }

  async receipts(): Promise<Map<string, number>> {
    const response = await fetch(new URL('/receipts', this.url));
    const body = (await response.json()) as { ids: string[]; times: number[] };
    return new Map(body.ids.map((id, i) => [id, body.times[i] as number]));
  }

  async reset(): Promise<void> {
    await fetch(new URL('/reset', this.url), { method: 'POST' });
  }
}

export interface Sinks {
  /** Pids of the sink processes (for resource figures). */
  pids: number[];
  smtpUrl: string;
  smtp: SinkClient;
  smsUrl: string;
  sms: SinkClient;
}

/** The counting SMTP sink and HTTP SMS sink, as processes. */
export async function startSinks(scope: Scope, logGroup: string, which: { smtp?: boolean; sms?: boolean } = { smtp: true, sms: true }): Promise<Partial<Sinks> & { pids: number[] }> {
  const out: Partial<Sinks> & { pids: number[] } = { pids: [] };
  if (which.smtp) {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    const smtp = await startProc(scope, logGroup, 'smtp-sink', ['--smtp-port', String(smtpPort), '--http-port', String(httpPort)], `http://127.0.0.1:${httpPort}/healthz`);
    if (smtp.pid) out.pids.push(smtp.pid);
    out.smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
    out.smtp = new SinkClient(`http://127.0.0.1:${httpPort}`);
  }
  if (which.sms) {
    const port = await freePort();
    const sms = await startProc(scope, logGroup, 'http-sink', ['--port', String(port)], `http://127.0.0.1:${port}/healthz`);
    if (sms.pid) out.pids.push(sms.pid);
    out.smsUrl = `http://127.0.0.1:${port}`;
    out.sms = new SinkClient(out.smsUrl);
  }
  return out;
}

/** Polls `read` every `intervalMs` until `done` says so, the deadline passes or the run is aborted. */
export async function pollUntil<T>(ctx: BenchContext, read: () => Promise<T>, done: (value: T, elapsedMs: number) => boolean, options: { intervalMs: number; timeoutMs: number; onSample?: (value: T, t: number) => void }): Promise<{ value: T; timedOut: boolean }> {
  const start = Date.now();
  for (;;) {
    if (ctx.aborted()) throw new AbortedError();
    const value = await read();
    const t = Date.now();
    options.onSample?.(value, t);
    if (done(value, t - start)) return { value, timedOut: false };
    if (t - start >= options.timeoutMs) return { value, timedOut: true };
    await sleep(options.intervalMs);
  }
}
