#!/usr/bin/env node
// @ts-check
/**
 * npm start [-- --email <provider> --sms <provider>]: the whole of Herald on this machine, with one
 * command. Installs what is missing, builds, starts the provider emulators asked for, checks every
 * service's configuration, brings up Kafka, Redis, PostgreSQL, MailDev and the SMS sink (starting
 * only what is down), migrates the database, starts the six services and the local webhook
 * receiver (registered as a webhook endpoint of the API client), and prints the URLs, the
 * authentication mode and curl examples. A service that
 * crashes is restarted with backoff, and given up on (everything stops) only when it keeps
 * crashing (@herald/process's Child, loaded once the build has made it). Ctrl-C or SIGTERM
 * drains the services and stops everything this command started, leaving no process behind.
 *
 * Authentication: with API_KEYS set it is passed to the ingest-api and enforced; without it the
 * ingest-api runs with AUTH_DISABLED=true (every request is the client "default"), for local use.
 * Everything listens on 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localDir, localPath } from './paths.mjs';
import { DEFAULT_PROVIDER, emulatorCallbackUrl, isEmulated, knownProviders, parseProviders, wireProvider, wiringBuilt } from './providers.mjs';
import { APPS, NX_ENV, appEntry, ensureInstalled, repoRoot, say } from './workspace.mjs';

const require = createRequire(import.meta.url);

/** @type {Record<string, number>} */
const PORTS = { 'ingest-api': 9000, 'kafka-bridge': 9101, 'email-worker': 9102, 'sms-worker': 9103, 'receipts-api': 9004, 'webhook-worker': 9104 };
const HOST = '127.0.0.1';
const RECEIVER_PORT = 9030;
/** An emulated provider listens on base + its place in libs/testing's list (ses 9041, twilio 9051...). */
const EMULATOR_PORT_BASE = { email: 9040, sms: 9050 };
const apiUrl = `http://${HOST}:${PORTS['ingest-api']}`;
const receiptsUrl = `http://${HOST}:${PORTS['receipts-api']}`;
const logDir = localPath('logs');
const rel = (/** @type {string} */ file) => path.relative(repoRoot, file) || '.';

/** The usage, with the provider names from libs/testing when it is built. */
function usage() {
  const known = wiringBuilt() ? knownProviders() : undefined;
  const others = (/** @type {'email' | 'sms'} */ channel) => (known ? known[channel].filter(isEmulated).join(', ') : 'see libs/testing/src/provider-wiring.ts');
  return `usage: npm start [-- [--email <provider>[,<provider>...]] [--sms <provider>[,<provider>...]]]

  --email   who sends email: ${DEFAULT_PROVIDER.email} (MailDev, the default) or a provider's emulator (${others('email')})
  --sms     who sends SMS: ${DEFAULT_PROVIDER.sms} (the local SMS sink, the default) or a provider's emulator (${others('sms')})
            several, comma-separated, are used in failover order (e.g. --email ses,smtp)

  API_KEYS=name:key,... npm start   runs the API with authentication (without it: AUTH_DISABLED=true, the client "default")`;
}

/** @type {{ email?: string, sms?: string, help?: boolean }} */
let options;
try {
  options = parseArgs({ options: { email: { type: 'string' }, sms: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
} catch (error) {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n\n${usage()}\n`);
  process.exit(2);
}
if (options.help) {
  say(usage());
  process.exit(0);
}
const providersAsked = options.email !== undefined || options.sms !== undefined;

/** @returns {{ email: string[], sms: string[] }} */
function chooseProviders() {
  try {
    return parseProviders({ ...(options.email !== undefined ? { email: options.email } : {}), ...(options.sms !== undefined ? { sms: options.sms } : {}) });
  } catch (error) {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
// Checked now when libs/testing is built (no build to wait for before a typo is reported), and after the build in any case.
if (providersAsked && wiringBuilt()) chooseProviders();

// Authentication: API_KEYS given: passed through and enforced; none: off, for local use only.
const apiKeys = (process.env.API_KEYS ?? '').trim();
const authDisabled = apiKeys === '';
const firstPair = apiKeys.split(',')[0] ?? '';
const apiClient = authDisabled ? { name: 'default', key: '' } : { name: firstPair.slice(0, firstPair.indexOf(':')), key: firstPair.slice(firstPair.indexOf(':') + 1) };
const authEnv = authDisabled ? { AUTH_DISABLED: 'true', API_KEYS: '' } : { AUTH_DISABLED: 'false', API_KEYS: apiKeys };

let stopping = false;
/** The build or migration in progress (stopped with everything else). @type {import('node:child_process').ChildProcess | undefined} */
let currentStep;
/** @type {Promise<unknown> | undefined} */
let platformPending;
/** @type {any[]} */
let startedPlatform = [];
/** @typedef {import('@herald/process').Child} Child */
/** Herald's services, then the tools they use (stopped after them: the workers' calls in flight reach them). */
/** @type {Child[]} */
const apps = [];
/** @type {Child[]} */
const tools = [];

/** @param {string} why */
async function fail(why) {
  say(`\nnpm start: ${why}`);
  await shutdown(1);
}

/**
 * Runs a step of the start (its output inherited), which shutdown() can stop.
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 * @returns {Promise<number>}
 */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: 'inherit' });
    currentStep = child;
    child.once('error', (error) => {
      say(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      currentStep = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** @param {number} code */
async function shutdown(code) {
  if (stopping) {
    say('(already stopping: the services are draining)');
    return;
  }
  stopping = true;
  currentStep?.kill('SIGTERM');
  await platformPending?.catch(() => undefined);
  if (apps.length || tools.length) say('\nStopping Herald (draining the services)...');
  const stopAll = (/** @type {Child[]} */ services) =>
    Promise.all(
      services.map(async (service) => {
        const kill = () => say(`  ${service.name} did not stop within ${(service.spec.graceMs ?? 40_000) / 1000} s: killing it`);
        if ((await service.stop(undefined, kill)) !== undefined) say(`  ${service.name} stopped`);
      }),
    );
  await stopAll(apps);
  await stopAll(tools);
  if (startedPlatform.length) {
    const { platformDown } = await import('./platform.mjs');
    await platformDown({ only: startedPlatform });
  }
  say('Stopped.');
  process.exit(code);
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => void shutdown(0));
// npm runs this through sh, which dies of a SIGTERM sent to npm without passing it on (a Ctrl-C
// reaches every process of the terminal's group, this one included). So a parent that goes away
// is taken as the order to stop; and an output that was closed must not end this before it has.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid === parentAtStart || stopping) return;
  say('\nnpm start: the process that started it is gone (npm was stopped?); stopping everything');
  void shutdown(0);
}, 1_000).unref();
process.stdout.on('error', () => undefined);

/**
 * A process npm start runs: its log in .local/logs/<name>.log, its lines echoed with a [name] tag,
 * its own process group, and restarted with backoff when it crashes (given up on, and everything
 * stopped, when it keeps crashing). Why restart rather than stop: a local stack is for trying
 * things; one service dying (a bad request that crashes it, a dependency restarted) should not
 * take the others and their state down, and the cluster primary does the same for its workers.
 * @param {typeof import('@herald/process')} lib @herald/process, imported after the build
 * @param {Omit<import('@herald/process').ChildSpec, 'logFile' | 'group' | 'restart' | 'cwd'>} spec
 * @param {(child: Child) => void | Promise<void>} [onRestarted]
 * @returns {Child}
 */
function supervised(lib, spec, onRestarted) {
  const tag = `[${spec.name}]`.padEnd(19);
  const { onLine } = spec;
  const child = new lib.Child({
    ...spec,
    cwd: repoRoot,
    logFile: path.join(logDir, `${spec.name}.log`),
    group: true,
    onLine: (line) => {
      process.stdout.write(`${tag} ${line}\n`);
      onLine?.(line);
    },
    restart: {
      say: (line) => say(`\nnpm start: ${line}`),
      onGiveUp: (service, crashes, tail) => {
        say(
          `\nnpm start: ${service.name} crashed ${crashes} times within ${lib.RESTART_POLICY.windowMs / 1000} s; giving up and stopping everything.` +
            `\nThe end of its log (${rel(service.logFile)}):\n\n${tail.replace(/^/gm, '    ')}\n`,
        );
        void shutdown(1);
      },
      ...(onRestarted ? { onRestarted } : {}),
    },
  });
  child.start();
  return child;
}

/**
 * WEBHOOK_SECRETS_KEY (it seals the endpoints' signing secrets in the database): the one given,
 * else one generated once and kept in .local/webhook-secrets-key. Not a new one per run: the
 * endpoints (the receiver's among them) stay in the database, and a secret sealed under an
 * earlier key could not be opened by the webhook-worker (even the previous secret a rotation
 * keeps signing for a day).
 * @returns {{ key: string, origin: string }}
 */
function webhookSecretsKey() {
  if (process.env.WEBHOOK_SECRETS_KEY) return { key: process.env.WEBHOOK_SECRETS_KEY, origin: 'WEBHOOK_SECRETS_KEY as given' };
  /** @type {RegExp} */
  const pattern = require('@herald/webhooks').SECRETS_KEY_PATTERN;
  const file = path.join(localDir, 'webhook-secrets-key');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (pattern.test(kept)) return { key: kept, origin: `kept in ${rel(file)}` };
  }
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, origin: `generated into ${rel(file)}` };
}

/**
 * @typedef {object} Emulator
 * @property {string} provider
 * @property {'email' | 'sms'} channel
 * @property {string} url
 * @property {Child} service
 * @property {import('./providers.mjs').ProviderWiring} [wiring]
 */

async function main() {
  if (!(await ensureInstalled())) return fail('npm ci failed');
  if (stopping) return;
  const projects = [...APPS, 'webhook-receiver', 'process'].map((p) => `@herald/${p}`);
  if (providersAsked) projects.push('@herald/emulators', '@herald/testing');
  say('Building...');
  const built = await run(path.join(repoRoot, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '--output-style=static', '-p', ...projects], NX_ENV);
  if (stopping) return;
  if (built !== 0) return fail('the build failed');
  const chosen = providersAsked ? chooseProviders() : { email: [], sms: [] };
  const lib = await import('@herald/process');
  const { isPortOpen } = lib;

  // Emulators of the providers asked for, each on a port of its own (known before it starts: the workers' settings name it).
  const known = providersAsked ? knownProviders() : { email: [], sms: [] };
  /** @type {Emulator[]} */
  const emulators = [];
  for (const channel of /** @type {const} */ (['email', 'sms'])) {
    for (const provider of chosen[channel].filter(isEmulated)) {
      const port = EMULATOR_PORT_BASE[channel] + known[channel].indexOf(provider);
      emulators.push({ provider, channel, url: `http://${HOST}:${port}`, service: /** @type {any} */ (undefined) });
    }
  }

  const taken = [];
  const ports = [...APPS.map((app) => /** @type {[string, number]} */ ([app, PORTS[app] ?? 0])), /** @type {[string, number]} */ (['webhook-receiver', RECEIVER_PORT]), ...emulators.map((e) => /** @type {[string, number]} */ ([`${e.provider} emulator`, Number(new URL(e.url).port)]))];
  for (const [what, port] of ports) if (await isPortOpen({ port })) taken.push(`${port} (${what})`);
  if (taken.length) return fail(`port${taken.length > 1 ? 's' : ''} already in use: ${taken.join(', ')}. Is another npm start running? (ss -ltnp shows who listens)`);

  const secrets = webhookSecretsKey();
  // Webhook targets on loopback and private addresses, over http, are refused in production (a
  // webhook must not reach into the deployment's own network); locally the receiver is on
  // 127.0.0.1, so both services that check targets (the ingest-api at registration, the
  // webhook-worker at every connection) allow them.
  const webhookEnv = { WEBHOOK_SECRETS_KEY: secrets.key, WEBHOOK_ALLOW_PRIVATE_TARGETS: process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? 'true' };

  // What the emulators make the workers and the receipts-api need (recomputed when an emulator restarts: new keys).
  const providerEnv = () => {
    /** @type {Record<string, string>} */
    const email = chosen.email.length ? { EMAIL_PROVIDERS: chosen.email.join(',') } : {};
    /** @type {Record<string, string>} */
    const sms = chosen.sms.length ? { SMS_PROVIDERS: chosen.sms.join(',') } : {};
    /** @type {Record<string, string>} */
    const receipts = {};
    const withReceipts = [];
    for (const e of emulators) {
      if (!e.wiring) continue;
      Object.assign(e.channel === 'email' ? email : sms, e.wiring.worker);
      Object.assign(receipts, e.wiring.receipts);
      if (e.wiring.hasReceipts) withReceipts.push(e.provider);
    }
    if (withReceipts.length) receipts['RECEIPT_PROVIDERS'] = withReceipts.join(',');
    return { email, sms, receipts };
  };

  /** @param {string} app @returns {NodeJS.ProcessEnv} */
  const appEnv = (app) => {
    const wired = providerEnv();
    const port = String(PORTS[app]);
    const health = { HEALTH_PORT: port, HEALTH_HOST: HOST };
    switch (app) {
      case 'ingest-api':
        return { ...process.env, PORT: port, HOST, WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? '2', ...authEnv, ...webhookEnv };
      case 'email-worker':
        // Locally the email worker can ask MailDev's API whether a send in doubt arrived (exactly once across crashes).
        return { ...process.env, ...health, EMAIL_LOOKUP_URL: process.env.EMAIL_LOOKUP_URL ?? 'http://127.0.0.1:1080', ...wired.email };
      case 'sms-worker':
        return { ...process.env, ...health, ...wired.sms };
      case 'receipts-api':
        return { ...process.env, PORT: port, HOST, RECEIPTS_PUBLIC_URL: receiptsUrl, ...wired.receipts };
      case 'webhook-worker':
        return { ...process.env, ...health, ...webhookEnv };
      default:
        return { ...process.env, ...health };
    }
  };

  const scratch = localPath('emulators');
  const emulatorsMain = path.join(repoRoot, 'tools', 'emulators', 'dist', 'main.js');
  for (const e of emulators) {
    const callbackUrl = emulatorCallbackUrl(e.provider, receiptsUrl);
    e.service = supervised(
      lib,
      {
        name: `emulator-${e.provider}`,
        args: [emulatorsMain, e.provider, '--host', HOST, '--port', new URL(e.url).port, ...(callbackUrl ? ['--callback-url', callbackUrl] : [])],
        env: () => ({ ...process.env }),
        readyUrl: `${e.url}/healthz`,
        graceMs: 10_000,
      },
      // A restarted emulator has new keys (signing key, SNS certificate), some of them in files the
      // receipts-api reads at start (NODE_EXTRA_CA_CERTS): it is restarted to verify with those.
      async () => {
        e.wiring = await wireProvider(e.provider, e.url, receiptsUrl, scratch);
        if (!e.wiring.hasReceipts) return;
        say(`npm start: the ${e.provider} emulator signs its receipts with new keys; restarting the receipts-api with them`);
        apps.find((s) => s.name === 'receipts-api')?.restart();
      },
    );
    tools.push(e.service);
  }
  for (const e of emulators) {
    if (!(await e.service.ready(60_000))) return stopping ? undefined : fail(`the ${e.provider} emulator did not answer within a minute (log: ${rel(e.service.logFile)})`);
    e.wiring = await wireProvider(e.provider, e.url, receiptsUrl, scratch);
  }
  if (stopping) return;

  // Each service's configuration checked before any starts: a mistake (API_KEYS, a provider setting) is reported once, plainly.
  const problems = [];
  for (const app of APPS) {
    try {
      require(`@herald/${app}/config`).loadConfig(appEnv(app));
    } catch (error) {
      problems.push(`${app}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length) return fail(`a service would not start with this configuration:\n${problems.join('\n')}`);

  const { platformUp } = await import('./platform.mjs');
  say('\nBringing up the platform...');
  const pending = platformUp({ log: (line) => say(`  ${line}`) }).then((up) => {
    startedPlatform = up.results.filter((r) => r.ok && r.startedNow).map((r) => r.name);
    return up;
  });
  platformPending = pending;
  const up = await pending;
  if (stopping) return;
  for (const r of up.results) say(`  ${r.name.padEnd(9)} ${r.line}`);
  if (!up.ok) return fail('the platform did not come up (see above)');
  const { runnerEntry } = await import('@herald/tracking/scripts/migrations');
  if ((await run(process.execPath, [runnerEntry(), 'deploy'])) !== 0) return stopping ? undefined : fail('migrations failed');
  if (stopping) return;

  for (const app of APPS) {
    apps.push(supervised(lib, { name: app, args: [appEntry(app)], env: () => appEnv(app), readyUrl: `http://${HOST}:${PORTS[app]}/readyz` }));
  }
  const readiness = await Promise.all(apps.map((s) => s.ready(120_000)));
  if (stopping) return;
  const late = apps.filter((_, i) => !readiness[i]);
  if (late.length) return fail(`not ready within two minutes: ${late.map((s) => `${s.name} (log: ${rel(s.logFile)})`).join(', ')}`);

  // The local webhook receiver registers itself at every start (HERALD_API_URL) as an endpoint of
  // the API client for all event types, and verifies the signature of every call with the secret it gets.
  let endpointId = '';
  const receiver = supervised(lib, {
      name: 'webhook-receiver',
      args: [path.join(repoRoot, 'tools', 'webhook-receiver', 'dist', 'main.js')],
      env: () => ({ ...process.env, RECEIVER_PORT: String(RECEIVER_PORT), RECEIVER_HOST: HOST, HERALD_API_URL: apiUrl, HERALD_API_KEY: apiClient.key }),
      readyLine: /registered with Herald/,
      onLine: (line) => {
        if (!line.includes('registered with Herald')) return;
        try {
          endpointId = JSON.parse(line).endpointId ?? endpointId;
        } catch {
          // not JSON
        }
      },
      graceMs: 10_000,
  });
  tools.push(receiver);
  if (!(await receiver.ready(60_000))) return stopping ? undefined : fail(`the webhook receiver did not register with the API within a minute (log: ${rel(receiver.logFile)})`);
  if (stopping) return;

  printBanner({ chosen, emulators, endpointId, secretsOrigin: secrets.origin });
}

/**
 * @param {{ chosen: { email: string[], sms: string[] }, emulators: Emulator[], endpointId: string, secretsOrigin: string }} facts
 */
function printBanner({ chosen, emulators, endpointId, secretsOrigin }) {
  const emailProviders = chosen.email.length ? chosen.email : (process.env.EMAIL_PROVIDERS ?? DEFAULT_PROVIDER.email).split(',');
  const smsProviders = chosen.sms.length ? chosen.sms : (process.env.SMS_PROVIDERS ?? DEFAULT_PROVIDER.sms).split(',');
  const lines = [];
  const row = (/** @type {string} */ what, /** @type {string} */ where, /** @type {string} */ note = '') => lines.push(`  ${what.padEnd(15)}${note ? `${where.padEnd(40)} ${note}` : where}`);
  row('API', 'http://localhost:9000', '(POST /v1/North, GET /v1/messages/{id}, /v1/webhooks)');
  row('API docs', 'http://localhost:9000/docs', '(OpenAPI JSON at /docs/json)');
  if (emailProviders.includes('smtp')) row('Emails', 'http://localhost:1080', '(MailDev; SMTP on localhost:1025)');
  if (smsProviders.includes('http')) row('SMS', 'http://localhost:9025/messages', '(the local SMS sink)');
  for (const e of emulators) row(e.channel === 'email' ? 'Emails' : 'SMS', `${e.url.replace(HOST, 'localhost')}/_emulator/messages`, `(the ${e.provider} emulator: what it was asked to send)`);
  row('Webhooks', `http://localhost:${RECEIVER_PORT}/`, `(the local webhook receiver: every signed callback it verified, as JSON;`);
  lines.push(`  ${''.padEnd(15)}${''.padEnd(40)}  endpoint ${endpointId || '?'} of the client "${apiClient.name}", all event types)`);
  const receipts = emulators.filter((e) => e.wiring?.hasReceipts).map((e) => e.provider);
  row('Receipts', 'http://localhost:9004', receipts.length ? `(receipts-api: the ${receipts.join(' and ')} emulator${receipts.length > 1 ? 's' : ''} call back at /providers/<name>/events)` : '(receipts-api: provider callbacks at /providers/<name>/events; none locally with MailDev and the SMS sink)');
  row('Health', 'http://localhost:9000/readyz', ':9101 (bridge) :9102 (email) :9103 (sms) :9004 (receipts) :9104 (webhooks), /readyz');
  row('Logs', `${rel(logDir)}/<service>.log`);

  const auth = authDisabled
    ? [
        'Authentication: OFF. No API_KEYS was given, so the ingest-api runs with AUTH_DISABLED=true (local use',
        'only; everything listens on 127.0.0.1): no key is needed and every request is the client "default".',
        'To run with keys: API_KEYS=name:key,... npm start (keys of 16 characters or more).',
      ]
    : [
        `Authentication: ON (API_KEYS: ${apiKeys.split(',').map((p) => `"${p.slice(0, p.indexOf(':'))}"`).join(', ')}). Every /v1 request needs`,
        'Authorization: Bearer <key>; each client sees only its own messages and webhooks.',
        `The webhook receiver is registered for the first client, "${apiClient.name}".`,
      ];
  const key = authDisabled ? '' : `-H "authorization: Bearer $KEY" `;
  say(`
Herald is running.

${lines.join('\n')}

${auth.join('\n')}

Providers: email through ${emailProviders.join(', ')}, SMS through ${smsProviders.join(', ')}${providersAsked ? '' : ' (npm start -- --email <provider> --sms <provider> for an emulated one: npm start -- --help)'}.
Webhook secrets key: ${secretsOrigin}.

Try it:
${authDisabled ? '' : '\n  KEY=<your API key from API_KEYS>\n'}
  curl -s -X POST http://localhost:9000/v1/North ${key}-H 'content-type: application/json' -d '{
    "to": {"email": "ada@example.com", "phone": "+447700900123"},
    "channels": ["email", "sms"],
    "email": {"subject": "Welcome", "text": "Hello Ada", "html": "<p>Hello Ada</p>"},
    "sms": {"text": "Hello Ada"}
  }'

Its status (each delivery goes accepted, queued, sending, sent, and delivered where the provider reports receipts):

  curl -s http://localhost:9000/v1/messages/<id from the answer>${key ? ` ${key.trim()}` : ''}

The webhooks about it, as the receiver verified them:

  curl -s http://localhost:${RECEIVER_PORT}/

Ctrl-C stops everything.
`);
}

await main().catch(async (error) => {
  await fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
