#!/usr/bin/env node
// @ts-check
/**
 * The local platform: Kafka, Redis, PostgreSQL, MailDev and the SMS sink.
 *
 *   node tools/platform/src/platform.mjs up     [--only kafka,redis,postgres,maildev,sms] [--topic-prefix P] [--no-topics]
 *   node tools/platform/src/platform.mjs down   [--only ...]
 *   node tools/platform/src/platform.mjs status [--only ...] [--json]
 *
 * `up` is idempotent: it reuses whatever already answers and starts the rest, creates the Herald
 * topics, prints one line per service, and records what it started in .local/platform/state.json.
 * `down` stops what the platform tooling started (state.json and the pid files under .local/) and
 * leaves a Redis or PostgreSQL that was running before alone.
 *
 * The same operations are exported as platformUp / platformDown / platformStatus.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureHeraldTopics, ensureKafka, kafkaAnswers, runningKafkaPid, stopKafka } from './kafka.mjs';
import { maildevAnswers, runningMaildevPid, startMaildev, stopMaildev } from './maildev.mjs';
import { postgresAnswers, ensurePostgres, stopPostgresCluster, postgresUrl } from './postgres.mjs';
import { isPortOpen } from '@herald/process';
import { ensureRedis, redisAnswers, redisCommand, runningRedisPid, stopRedis } from './redis.mjs';
import { runningSmsSinkPid, smsSinkAnswers, startSmsSink, stopSmsSink } from './sms-sink.mjs';
import { readState, writeState } from './state.mjs';

/** @typedef {(line: string) => void} LogFn */
/** @typedef {'kafka' | 'redis' | 'postgres' | 'maildev' | 'sms'} ServiceName */
/** @typedef {import('./state.mjs').ServiceState} ServiceState */

/** @type {ServiceName[]} */
export const SERVICES = ['kafka', 'redis', 'postgres', 'maildev', 'sms'];

/** Default addresses (the ones docker-compose.yml publishes too). */
export const DEFAULTS = Object.freeze({
  kafka: { port: 9092, controllerPort: 9093 },
  redis: { port: 6379 },
  postgres: { port: 5432, databases: ['herald', 'herald_test'] },
  maildev: { smtpPort: 1025, webPort: 1080 },
  sms: { port: 9025 },
});

/**
 * The migrated template database that every test and bench stack clones (libs/testing reads the
 * same DATABASE_ADMIN_URL and DATABASE_TEMPLATE): DATABASE_TEMPLATE_URL when set, otherwise
 * DATABASE_TEMPLATE (herald_test) on DATABASE_ADMIN_URL's server.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function templateDatabaseUrl(env = process.env) {
  if (env.DATABASE_TEMPLATE_URL) return env.DATABASE_TEMPLATE_URL;
  const admin = env.DATABASE_ADMIN_URL || `postgresql://postgres@127.0.0.1:${DEFAULTS.postgres.port}/postgres`;
  return new URL(`/${env.DATABASE_TEMPLATE || 'herald_test'}`, admin).toString();
}

/**
 * Parse an --only list ('sms-sink' is accepted for 'sms').
 * @param {string | undefined} only
 * @returns {ServiceName[]}
 */
export function parseOnly(only) {
  if (!only) return [...SERVICES];
  const names = only.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s === 'sms-sink' ? 'sms' : s));
  for (const n of names) {
    if (!SERVICES.includes(/** @type {ServiceName} */ (n))) throw new Error(`unknown service ${JSON.stringify(n)} (known: ${SERVICES.join(', ')})`);
  }
  return SERVICES.filter((s) => names.includes(s));
}

/**
 * @typedef {object} UpResult
 * @property {ServiceName} name
 * @property {boolean} ok
 * @property {string} line one human-readable line
 * @property {ServiceState} [state]
 * @property {boolean} [startedNow] this call started it (so the caller that started it may stop it)
 * @property {string} [error]
 */

/**
 * Bring the platform up. Never throws for one service failing: see each result's ok/error.
 * @param {object} [options]
 * @param {ServiceName[]} [options.only]
 * @param {string} [options.topicPrefix] create `P.north-updates` etc. instead of `north-updates`
 * @param {boolean} [options.createTopics] default true
 * @param {LogFn} [options.log] progress lines
 * @returns {Promise<{ ok: boolean, results: UpResult[] }>}
 */
export async function platformUp({ only = [...SERVICES], topicPrefix = '', createTopics = true, log = console.log } = {}) {
  const state = readState();
  /**
   * @param {ServiceName} name
   * @param {() => Promise<{ state: ServiceState, line: string, startedNow: boolean }>} fn
   * @returns {Promise<UpResult>}
   */
  const one = async (name, fn) => {
    const t0 = Date.now();
    try {
      const r = await fn();
      const took = ((Date.now() - t0) / 1000).toFixed(1);
      // Record it, re-reading the file so concurrent services do not overwrite each other.
      const latest = readState();
      latest.services[name] = r.state;
      writeState(latest);
      return { name, ok: true, state: r.state, startedNow: r.startedNow, line: `${r.line} [${took}s]` };
    } catch (err) {
      const message = /** @type {Error} */ (err).message;
      return { name, ok: false, error: message, line: `FAILED: ${message.split('\n')[0]}` };
    }
  };

  /**
   * Whether the platform tooling owns a service that this call merely reused.
   * @param {ServiceName} name
   * @param {boolean} startedNow
   * @param {number | null} pid pid from our own pid file (only set when our tooling started it)
   */
  const owned = (name, startedNow, pid) => {
    const prev = state.services[name];
    return startedNow || pid !== null || (prev?.startedByUs === true && name === 'postgres');
  };
  /**
   * @param {boolean} startedNow
   * @param {boolean} own
   * @param {number | null | undefined} pid
   */
  const how = (startedNow, own, pid) =>
    startedNow ? `started (pid ${pid ?? '?'})` : own ? `reused (started earlier by the platform${pid ? `, pid ${pid}` : ''})` : 'reused (already running)';

  /** @type {Record<ServiceName, () => Promise<{ state: ServiceState, line: string, startedNow: boolean }>>} */
  const starters = {
    kafka: async () => {
      const { port, controllerPort } = DEFAULTS.kafka;
      const k = await ensureKafka({ port, controllerPort, log });
      const own = owned('kafka', k.startedByUs, k.pid);
      let topicsNote = '';
      if (createTopics) {
        const topics = await ensureHeraldTopics({ brokers: k.brokers, prefix: topicPrefix });
        const made = topics.filter((t) => t.created).length;
        topicsNote = `; topics ${topics.map((t) => `${t.topic}(${t.partitions})`).join(' ')}${made ? ` (${made} created)` : ''}`;
      }
      return {
        state: {
          startedByUs: own,
          pid: k.pid,
          address: k.brokers.join(','),
          startedAt: k.startedByUs ? new Date().toISOString() : state.services.kafka?.startedAt,
          details: { port, controllerPort, dir: k.dir },
        },
        line: `${k.brokers.join(',')}  ${how(k.startedByUs, own, k.pid)}${topicsNote}`,
        startedNow: k.startedByUs,
      };
    },
    redis: async () => {
      const { port } = DEFAULTS.redis;
      const r = await ensureRedis({ port, log });
      const own = owned('redis', r.startedByUs, r.pid);
      return {
        state: { startedByUs: own, pid: r.pid, address: `${r.host}:${r.port}`, url: r.url, details: { port, version: r.version, maxmemoryPolicy: r.maxmemoryPolicy } },
        line: `${r.url}  ${how(r.startedByUs, own, r.pid)}; redis ${r.version}, maxmemory-policy ${r.maxmemoryPolicy}`,
        startedNow: r.startedByUs,
      };
    },
    postgres: async () => {
      const { port, databases } = DEFAULTS.postgres;
      const p = await ensurePostgres({ port, databases, log });
      const prev = state.services.postgres;
      const own = p.startedByUs || prev?.startedByUs === true;
      const cluster = p.cluster ?? (own ? /** @type {string | undefined} */ (prev?.details?.cluster) ?? null : null);
      const made = p.databases.filter((d) => d.created).map((d) => d.name);
      return {
        state: {
          startedByUs: own,
          pid: null,
          address: `${p.host}:${p.port}`,
          url: p.url(databases[0]),
          details: { port, user: p.user, cluster, version: p.version, urls: Object.fromEntries(databases.map((d) => [d, p.url(d)])) },
        },
        line: `${p.url('').replace(/\/$/, '')} (${databases.join(', ')})  ${how(p.startedByUs, own, null)}; PostgreSQL ${p.version?.split(' ')[0]}${made.length ? `; created ${made.join(', ')}` : ''}`,
        startedNow: p.startedByUs,
      };
    },
    maildev: async () => {
      const { smtpPort, webPort } = DEFAULTS.maildev;
      const m = await startMaildev({ smtpPort, webPort, log });
      const own = owned('maildev', m.startedByUs, m.pid);
      return {
        state: { startedByUs: own, pid: m.pid, address: `${m.host}:${m.smtpPort}`, url: m.webUrl, details: { smtpPort, webPort, smtpUrl: m.smtpUrl, apiUrl: m.apiUrl, version: m.version } },
        line: `${m.smtpUrl}  ${m.webUrl} (API ${m.apiUrl})  ${how(m.startedByUs, own, m.pid)}; MailDev ${m.version}`,
        startedNow: m.startedByUs,
      };
    },
    sms: async () => {
      const { port } = DEFAULTS.sms;
      const s = await startSmsSink({ port, log });
      const own = owned('sms', s.startedByUs, s.pid);
      return {
        state: { startedByUs: own, pid: s.pid, address: `${s.host}:${s.port}`, url: s.url, details: { port } },
        line: `${s.url}  ${how(s.startedByUs, own, s.pid)}`,
        startedNow: s.startedByUs,
      };
    },
  };

  const results = await Promise.all(only.map((name) => one(name, starters[name])));
  return { ok: results.every((r) => r.ok), results };
}

/**
 * Stop what the platform tooling started. Leaves alone what was running before `up`.
 * @param {object} [options]
 * @param {ServiceName[]} [options.only]
 * @returns {Promise<{ ok: boolean, results: { name: ServiceName, ok: boolean, line: string }[] }>}
 */
export async function platformDown({ only = [...SERVICES] } = {}) {
  const state = readState();
  /** @type {{ name: ServiceName, ok: boolean, line: string }[]} */
  const results = [];
  /**
   * @param {string} result
   * @param {number | null | undefined} pid
   */
  const describe = (result, pid) =>
    result === 'terminated' || result === 'killed' ? `stopped (pid ${pid}${result === 'killed' ? ', had to SIGKILL' : ''})` : result;
  /**
   * Stops a daemon the platform started (found by its pid file); says what was there otherwise.
   * @param {number | null} pid
   * @param {() => Promise<string>} stop
   * @param {() => Promise<unknown>} answers
   * @param {string} [notOurs]
   */
  const stopDaemon = async (pid, stop, answers, notOurs = 'left running (not started by the platform)') => {
    const r = await stop();
    return r === 'not-running' ? ((await answers()) ? notOurs : 'not running') : describe(r, pid);
  };

  // Reverse dependency order: sinks first, then Kafka, then the stores.
  for (const name of [...SERVICES].reverse().filter((s) => only.includes(/** @type {ServiceName} */ (s)))) {
    const s = state.services[name];
    try {
      /** @type {string} */
      let line;
      switch (name) {
        case 'sms': {
          const port = Number(s?.details?.port ?? DEFAULTS.sms.port);
          line = await stopDaemon(runningSmsSinkPid(port), () => stopSmsSink({ port }), () => smsSinkAnswers({ port }));
          break;
        }
        case 'maildev': {
          const smtpPort = Number(s?.details?.smtpPort ?? DEFAULTS.maildev.smtpPort);
          const webPort = Number(s?.details?.webPort ?? DEFAULTS.maildev.webPort);
          line = await stopDaemon(runningMaildevPid(smtpPort), () => stopMaildev({ smtpPort }), () => maildevAnswers({ webPort }));
          break;
        }
        case 'kafka': {
          const port = Number(s?.details?.port ?? DEFAULTS.kafka.port);
          line = await stopDaemon(runningKafkaPid(port), () => stopKafka({ port }), () => kafkaAnswers({ port }));
          break;
        }
        case 'redis': {
          // Only a redis-server with our pid file (.local/redis) is ours to stop.
          const port = Number(s?.details?.port ?? DEFAULTS.redis.port);
          line = await stopDaemon(runningRedisPid(port), () => stopRedis({ port }), () => redisAnswers({ port }), 'left running (was running before up)');
          break;
        }
        case 'postgres': {
          const cluster = /** @type {string | null | undefined} */ (s?.details?.cluster);
          if (s?.startedByUs && cluster) {
            await stopPostgresCluster(cluster);
            line = `stopped (cluster ${cluster})`;
          } else {
            const port = Number(s?.details?.port ?? DEFAULTS.postgres.port);
            line = (await isPortOpen({ port })) ? 'left running (was running before up)' : 'not running';
          }
          break;
        }
      }
      delete state.services[name];
      results.push({ name, ok: true, line });
    } catch (err) {
      results.push({ name, ok: false, line: `FAILED: ${/** @type {Error} */ (err).message}` });
    }
  }
  writeState(state);
  return { ok: results.every((r) => r.ok), results };
}

/**
 * What answers now, and who started it.
 * @param {object} [options]
 * @param {ServiceName[]} [options.only]
 * @returns {Promise<{ ok: boolean, results: { name: ServiceName, up: boolean, line: string, address: string, url?: string, startedByPlatform: boolean, pid: number | null }[] }>}
 */
export async function platformStatus({ only = [...SERVICES] } = {}) {
  const state = readState();
  /**
   * @param {ServiceName} name
   * @param {number | null} pid
   */
  const who = (name, pid) =>
    pid !== null ? `started by the platform (pid ${pid})` : state.services[name]?.startedByUs ? 'started by the platform' : 'external';

  const checks = {
    kafka: async () => {
      const port = DEFAULTS.kafka.port;
      const pid = runningKafkaPid(port);
      const up = await kafkaAnswers({ port });
      return { up, address: `127.0.0.1:${port}`, pid, extra: '' };
    },
    redis: async () => {
      const port = DEFAULTS.redis.port;
      const pid = runningRedisPid(port);
      const up = await redisAnswers({ port });
      let extra = '';
      if (up) {
        const policy = await redisCommand({ port }, 'CONFIG', 'GET', 'maxmemory-policy').catch(() => null);
        if (Array.isArray(policy)) extra = `; maxmemory-policy ${policy[1]}`;
      }
      return { up, address: `127.0.0.1:${port}`, url: `redis://127.0.0.1:${port}`, pid, extra };
    },
    postgres: async () => {
      const { port, databases } = DEFAULTS.postgres;
      const probe = await postgresAnswers({ port });
      return {
        up: probe.ok,
        address: `127.0.0.1:${port}`,
        url: postgresUrl({ host: '127.0.0.1', port, user: process.env.PGUSER || 'postgres', database: databases[0] ?? 'herald' }),
        pid: null,
        extra: probe.ok ? `; ${probe.version.split(' ')[0]}` : `; ${probe.error}`,
      };
    },
    maildev: async () => {
      const { smtpPort, webPort } = DEFAULTS.maildev;
      const pid = runningMaildevPid(smtpPort);
      const found = (await isPortOpen({ port: smtpPort })) ? await maildevAnswers({ webPort }) : null;
      return { up: found !== null, address: `127.0.0.1:${smtpPort}`, url: `http://127.0.0.1:${webPort}`, pid, extra: found ? `; web http://127.0.0.1:${webPort}, MailDev ${found.version}` : '' };
    },
    sms: async () => {
      const { port } = DEFAULTS.sms;
      const pid = runningSmsSinkPid(port);
      const up = await smsSinkAnswers({ port });
      return { up, address: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, pid, extra: '' };
    },
  };

  const results = await Promise.all(
    only.map(async (name) => {
      const c = await checks[name]();
      const startedByPlatform = c.pid !== null || state.services[name]?.startedByUs === true;
      return {
        name,
        up: c.up,
        address: c.address,
        url: 'url' in c && typeof c.url === 'string' ? c.url : undefined,
        pid: c.pid,
        startedByPlatform,
        line: `${c.address}  ${c.up ? `up, ${who(name, c.pid)}` : 'DOWN'}${c.extra}`,
      };
    }),
  );
  return { ok: results.every((r) => r.up), results };
}

/**
 * @param {string} name
 * @param {string} line
 */
function printLine(name, line) {
  process.stdout.write(`${name.padEnd(9)}${line}\n`);
}

/** @param {string[]} argv */
async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      only: { type: 'string' },
      'topic-prefix': { type: 'string' },
      'no-topics': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['up', 'down', 'status'].includes(command)) {
    process.stdout.write(
      'usage: platform.mjs up|down|status [--only kafka,redis,postgres,maildev,sms] [--topic-prefix P] [--no-topics] [--json]\n',
    );
    return values.help ? 0 : 2;
  }
  const only = parseOnly(values.only);

  if (command === 'up') {
    const t0 = Date.now();
    const { ok, results } = await platformUp({
      only,
      topicPrefix: values['topic-prefix'] ?? '',
      createTopics: !values['no-topics'],
      log: (line) => process.stdout.write(`  ... ${line}\n`),
    });
    for (const r of results) printLine(r.name, r.line);
    for (const r of results.filter((x) => !x.ok)) process.stderr.write(`\n${r.name}: ${r.error}\n`);
    process.stdout.write(`platform ${ok ? 'up' : 'NOT fully up'} in ${((Date.now() - t0) / 1000).toFixed(1)}s (state in .local/platform/state.json)\n`);
    return ok ? 0 : 1;
  }
  if (command === 'down') {
    const { ok, results } = await platformDown({ only });
    for (const r of results) printLine(r.name, r.line);
    return ok ? 0 : 1;
  }
  const { ok, results } = await platformStatus({ only });
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else for (const r of results) printLine(r.name, r.line);
  return ok ? 0 : 1;
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`platform: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
