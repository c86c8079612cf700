// @ts-check
/**
 * What `npm start`, `npm test` and `npm run service` share: installing dependencies when they are
 * missing or stale, running a step with its output and timing, and building. Only Node built-ins
 * are imported here, because this runs before node_modules exists on a fresh clone.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';

export { repoRoot };
export const APPS = /** @type {const} */ (['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'receipts-api', 'webhook-worker']);

/** @param {string} line */
export function say(line) {
  process.stdout.write(`${line}\n`);
}

/**
 * Runs a command in the repository, streaming its output; resolves with its exit code.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, quiet?: boolean }} [options]
 * @returns {Promise<number>}
 */
export function exec(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: options.quiet ? 'ignore' : 'inherit',
    });
    child.once('error', (error) => {
      say(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * A named step, timed; returns whether it passed.
 * @param {string} name
 * @param {() => Promise<boolean | number>} run  true/0 for success
 * @returns {Promise<{ name: string, ok: boolean, ms: number }>}
 */
export async function step(name, run) {
  say(`\n▶ ${name}`);
  const t0 = Date.now();
  let ok = false;
  try {
    const result = await run();
    ok = result === true || result === 0;
  } catch (error) {
    say(`  ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const ms = Date.now() - t0;
  say(`${ok ? '✔' : '✘'} ${name} (${(ms / 1000).toFixed(1)} s)`);
  return { name, ok, ms };
}

/** npm ci when node_modules is absent or older than the lockfile. */
export async function ensureInstalled() {
  const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return true;
  say('Installing dependencies (npm ci)...');
  return (await exec('npm', ['ci', '--no-audit', '--no-fund'])) === 0;
}

/** Environment for Nx in scripts: no daemon, no cloud, stable output. */
export const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/**
 * Runs Nx targets over projects.
 * @param {string[]} targets
 * @param {string[]} [projects] all projects when empty
 */
export function nx(targets, projects = []) {
  const args = ['run-many', '-t', ...targets, '--output-style=static'];
  if (projects.length) args.push('-p', ...projects);
  return exec(path.join(repoRoot, 'node_modules', '.bin', 'nx'), args, { env: NX_ENV });
}

/** @param {string} app */
export function appEntry(app) {
  return path.join(repoRoot, 'apps', app, 'dist', 'main.js');
}
