#!/usr/bin/env node
// @ts-check
/**
 * npm run bench [-- options]: builds what the bench runs (the four apps, the libraries and the
 * bench itself; cached by Nx), brings up Kafka, Redis and PostgreSQL (starting only what is down),
 * migrates the template database that each bench stack clones, runs the bench
 * (tools/bench/dist/main.js), and stops the platform services it started itself.
 *
 * Launcher-only option: --no-build (use the current dist folders). Everything else goes to the
 * bench: `npm run bench -- --help`.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { exec, nx, say } = await import(pathToFileURL(path.join(repoRoot, 'tools/platform/src/workspace.mjs')).href);

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const benchArgs = args.filter((a) => a !== '--no-build');
const help = benchArgs.includes('--help') || benchArgs.includes('-h');

if (!help && !noBuild) {
  say('Building the apps, libraries and the bench (Nx, cached)...');
  if ((await nx(['build'], ['@herald/bench'])) !== 0) {
    say('npm run bench: the build failed');
    process.exit(1);
  }
}

// Where the logs of everything the bench starts go (the test harness reads this).
process.env.HERALD_TEST_LOG_DIR ??= 'tools/bench/results/logs';

/** @type {string[]} */
let started = [];
/** @type {(only: string[]) => Promise<unknown>} */
let stopPlatform = async () => undefined;
if (!help) {
  const { platformUp, platformDown, templateDatabaseUrl } = await import(pathToFileURL(path.join(repoRoot, 'tools/platform/src/platform.mjs')).href);
  say('Bringing up Kafka, Redis and PostgreSQL (reusing what already runs)...');
  const up = await platformUp({ only: ['kafka', 'redis', 'postgres'], log: (/** @type {string} */ line) => say(`  ${line}`) });
  for (const r of up.results) say(`  ${r.name.padEnd(9)} ${r.line}`);
  started = up.results.filter((/** @type {any} */ r) => r.ok && r.startedNow).map((/** @type {any} */ r) => r.name);
  stopPlatform = (only) => platformDown({ only });
  if (!up.ok) {
    if (started.length) await stopPlatform(started);
    say('npm run bench: the platform did not come up (see above)');
    process.exit(1);
  }
  const template = templateDatabaseUrl();
  if ((await exec(process.execPath, ['libs/tracking/dist/migrate-cli.js', 'deploy'], { env: { DATABASE_URL: template } })) !== 0) {
    if (started.length) await stopPlatform(started);
    say('npm run bench: migrating the template database failed');
    process.exit(1);
  }
}

let code = 1;
try {
  const bench = await import(pathToFileURL(path.join(repoRoot, 'tools/bench/dist/main.js')).href);
  const run = bench.run ?? bench.default?.run;
  code = await run(benchArgs);
} catch (error) {
  say(`npm run bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  if (started.length) {
    say(`Stopping what this run started: ${started.join(', ')}`);
    await stopPlatform(started);
  }
}
process.exit(code);
