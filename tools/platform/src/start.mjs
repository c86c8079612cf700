#!/usr/bin/env node
// @ts-check
/**
 * npm start: the whole of Herald on this machine, with one command.
 * Installs what is missing, builds, brings up Kafka, Redis, PostgreSQL, MailDev and the SMS sink
 * (starting only what is down), migrates the database, starts the four services, and prints the
 * URLs and a curl example. Ctrl-C or SIGTERM drains the services and stops everything this
 * command started, leaving no process behind.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { APPS, appEntry, buildApps, ensureInstalled, exec, repoRoot, say } from './workspace.mjs';

const PORTS = { 'ingest-api': 9000, 'kafka-bridge': 9101, 'email-worker': 9102, 'sms-worker': 9103 };
const logDir = path.join(repoRoot, '.local', 'logs');

/** @param {string} why */
function fail(why) {
  say(`\nnpm start: ${why}`);
  process.exit(1);
}

if (!(await ensureInstalled())) fail('npm ci failed');
say('Building...');
if ((await buildApps()) !== 0) fail('the build failed');

const { platformUp, platformDown } = await import('./platform.mjs');
say('\nBringing up the platform...');
const up = await platformUp({ log: (line) => say(`  ${line}`) });
for (const r of up.results) say(`  ${r.name.padEnd(9)} ${r.line}`);
/** @type {any[]} */
const startedPlatform = up.results.filter((r) => r.ok && r.startedNow).map((r) => r.name);
const stopPlatform = async () => {
  if (startedPlatform.length) await platformDown({ only: startedPlatform });
};
if (!up.ok) {
  await stopPlatform();
  fail('the platform did not come up (see above)');
}
if ((await exec(process.execPath, ['tools/platform/src/migrate-cli.mjs', 'deploy'])) !== 0) {
  await stopPlatform();
  fail('migrations failed');
}

mkdirSync(logDir, { recursive: true });
/** @type {Map<string, import('node:child_process').ChildProcess>} */
const children = new Map();
let stopping = false;

/** @param {string} app */
function startApp(app) {
  const log = createWriteStream(path.join(logDir, `${app}.log`), { flags: 'a' });
  // Locally the email worker can ask MailDev's API whether a send in doubt arrived (exactly once across crashes).
  const env = {
    ...process.env,
    WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? '2',
    ...(app === 'email-worker' ? { EMAIL_LOOKUP_URL: process.env.EMAIL_LOOKUP_URL ?? 'http://127.0.0.1:1080' } : {}),
  };
  const child = spawn(process.execPath, [appEntry(app)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${app}]`.padEnd(15);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8').on('data', (/** @type {string} */ chunk) => {
      log.write(chunk);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) process.stdout.write(`${tag} ${line}\n`);
    });
  }
  child.once('exit', (code, signal) => {
    log.end();
    children.delete(app);
    if (!stopping) {
      say(`\n${app} exited unexpectedly (${code ?? signal}); stopping everything. Its log: ${path.join('.local', 'logs', `${app}.log`)}`);
      void shutdown(1);
    }
  });
  children.set(app, child);
}

/** @param {number} code */
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('\nStopping Herald (draining the services)...');
  await Promise.all(
    [...children.entries()].map(
      ([app, child]) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
          child.once('exit', () => {
            clearTimeout(timer);
            say(`  ${app} stopped`);
            resolve(undefined);
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await stopPlatform();
  say('Stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
for (const app of APPS) startApp(app);

/** @param {string} url */
async function ready(url) {
  for (let i = 0; i < 240 && !stopping; i += 1) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
const readiness = await Promise.all(APPS.map((app) => ready(`http://127.0.0.1:${PORTS[app]}/readyz`)));
if (readiness.some((ok) => !ok)) {
  say(`\nnot ready within a minute: ${APPS.filter((_, i) => !readiness[i]).join(', ')}`);
  await shutdown(1);
}

say(`
Herald is running.

  API            http://localhost:9000            (POST /v1/North, GET /v1/messages/{id})
  API docs       http://localhost:9000/docs       (OpenAPI JSON at /docs/json)
  Emails         http://localhost:1080            (MailDev; SMTP on localhost:1025)
  SMS            http://localhost:9025/messages   (the local SMS sink)
  Health         http://localhost:9000/readyz  :9101/readyz (bridge)  :9102/readyz (email)  :9103/readyz (sms)
  Logs           .local/logs/<service>.log

Try it:

  curl -s -X POST http://localhost:9000/v1/North -H 'content-type: application/json' -d '{
    "to": {"email": "ada@example.com", "phone": "+447700900123"},
    "channels": ["email", "sms"],
    "email": {"subject": "Welcome", "text": "Hello Ada", "html": "<p>Hello Ada</p>"},
    "sms": {"text": "Hello Ada"},
    "metadata": {}
  }'

  curl -s http://localhost:9000/v1/messages/<id from the answer>

Ctrl-C stops everything.
`);
