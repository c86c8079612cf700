#!/usr/bin/env node
// @ts-check
/**
 * The local platform: Kafka, Redis, PostgreSQL, MailDev and the SMS sink.
 *
 *   node tools/platform/src/platform.mjs up|down|status [--only kafka,redis,postgres,maildev,sms] [--topic-prefix P] [--no-topics]
 *
 * `up` is idempotent: it reuses whatever already answers, starts the rest and creates the Herald
 * topics (P.north-updates... with a prefix), one line per service. `down` stops what the platform
 * started (found by its pid files, or the Postgres cluster it names) and leaves alone what was
 * running before. The same as platformUp and platformDown for npm start, npm test and Jest.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kafkaService } from './kafka.mjs';
import { maildev } from './maildev.mjs';
import { postgres } from './postgres.mjs';
import { redis } from './redis.mjs';
import { smsSink } from './sms-sink.mjs';

/** @typedef {'kafka' | 'redis' | 'postgres' | 'maildev' | 'sms'} ServiceName */
/** @typedef {import('./daemon.mjs').UpOptions} UpOptions */

/** In the order they come up in; down goes the other way. @type {Record<ServiceName, import('./daemon.mjs').PlatformService>} */
const SERVICES = { kafka: kafkaService(), redis, postgres, maildev, sms: smsSink };
const NAMES = /** @type {ServiceName[]} */ (Object.keys(SERVICES));

/**
 * The migrated template database that every test and bench stack clones (libs/testing reads the
 * same variables): DATABASE_TEMPLATE_URL, else DATABASE_TEMPLATE (herald_test) on DATABASE_ADMIN_URL's server.
 */
export function templateDatabaseUrl(env = process.env) {
  if (env.DATABASE_TEMPLATE_URL) return env.DATABASE_TEMPLATE_URL;
  return new URL(`/${env.DATABASE_TEMPLATE || 'herald_test'}`, env.DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres').toString();
}

/**
 * Runs one operation on each service asked for, at once; one failing does not throw.
 * @template {{ line: string }} R
 * @param {ServiceName[]} only
 * @param {(service: import('./daemon.mjs').PlatformService) => Promise<R>} operation
 */
async function each(only, operation) {
  return Promise.all(
    only.map(async (name) => {
      const t0 = Date.now();
      try {
        return { name, ok: true, error: '', ...(await operation(SERVICES[name])), took: (Date.now() - t0) / 1000 };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { name, ok: false, error: message, line: `FAILED: ${message.split('\n')[0]}`, took: (Date.now() - t0) / 1000 };
      }
    }),
  );
}

/**
 * Brings the services up (all of them by default).
 * @param {Partial<UpOptions> & { only?: ServiceName[] }} [options]
 */
export async function platformUp({ only = NAMES, log = console.log, ...rest } = {}) {
  const results = (await each(only, (s) => s.up({ log, ...rest }))).map((r) => ({ startedNow: false, ...r, line: `${r.line} [${r.took.toFixed(1)}s]` }));
  return { ok: results.every((r) => r.ok), results };
}

/**
 * Stops what the platform started, the sinks first and the stores last.
 * @param {{ only?: ServiceName[] }} [options]
 */
export async function platformDown({ only = NAMES } = {}) {
  const results = [];
  for (const name of [...NAMES].reverse().filter((n) => only.includes(n))) results.push(...(await each([name], async (s) => ({ line: await s.down() }))));
  return { ok: results.every((r) => r.ok), results };
}

/** @param {string[]} argv */
async function main(argv) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { only: { type: 'string' }, 'topic-prefix': { type: 'string' }, 'no-topics': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const command = positionals[0] ?? '';
  if (values.help || !['up', 'down', 'status'].includes(command)) {
    process.stdout.write('usage: npm run platform -- up|down|status [--only kafka,redis,postgres,maildev,sms] [--topic-prefix P] [--no-topics]\n');
    return values.help ? 0 : 2;
  }
  const only = values.only ? values.only.split(',').map((s) => (s.trim() === 'sms-sink' ? 'sms' : s.trim())) : NAMES;
  const unknown = only.filter((n) => !NAMES.includes(/** @type {ServiceName} */ (n)));
  if (unknown.length) throw new Error(`unknown service ${unknown.join(', ')} (known: ${NAMES.join(', ')})`);
  const t0 = Date.now();
  const asked = /** @type {ServiceName[]} */ (NAMES.filter((n) => only.includes(n)));
  const { ok, results } =
    command === 'up'
      ? await platformUp({ only: asked, topicPrefix: values['topic-prefix'] ?? '', createTopics: !values['no-topics'], log: (line) => process.stdout.write(`  ... ${line}\n`) })
      : command === 'down'
        ? await platformDown({ only: asked })
        : await each(asked, (s) => s.status()).then((r) => ({ ok: r.every((x) => 'up' in x && x.up), results: r }));
  for (const r of results) process.stdout.write(`${r.name.padEnd(9)}${r.line}\n`);
  for (const r of results.filter((x) => !x.ok)) process.stderr.write(`\n${r.name}: ${r.error}\n`);
  if (command === 'up') process.stdout.write(`platform ${ok ? 'up' : 'NOT fully up'} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  return ok ? 0 : 1;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
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
