// @ts-check
/**
 * Commands of this machine the platform needs: run one to completion (on execa: its output
 * captured interleaved, a timeout, no throw on a non-zero exit), see whether one is installed,
 * install Debian packages. The processes the platform keeps (daemons, supervised children),
 * waiting, ports and locks are @herald/process's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/**
 * Runs a command to completion; never throws for a non-zero exit or a command that cannot start.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, output: string }>} output: stdout and stderr as they came
 */
export async function run(command, args, { cwd, env, timeoutMs } = {}) {
  const result = await execa(command, args, { cwd, env: env ?? process.env, extendEnv: false, stdin: 'ignore', all: true, reject: false, ...(timeoutMs ? { timeout: timeoutMs } : {}) });
  const output = typeof result.all === 'string' ? result.all : '';
  return result.exitCode === undefined ? { code: null, output: `${output}${result.message}\n` } : { code: result.exitCode, output };
}

/**
 * Whether an executable is on PATH (or is an existing path).
 * @param {string} name
 */
export function commandExists(name) {
  if (name.includes('/')) return existsSync(name);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
}

/**
 * Installs Debian packages with apt-get (non-interactive; apt-get update and once more when the
 * first try fails). Throws with apt-get's output on failure.
 * @param {string[]} packages
 * @param {(line: string) => void} [log]
 */
export async function aptInstall(packages, log) {
  if (!commandExists('apt-get')) throw new Error(`cannot install ${packages.join(', ')}: apt-get is not available on this machine`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (/** @type {string[]} */ args) => (process.getuid?.() === 0 ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  log?.(`installing ${packages.join(', ')} with apt-get`);
  let result = await aptGet(install);
  if (result.code !== 0) {
    log?.('apt-get install failed; running apt-get update and retrying');
    const update = await aptGet(['update']);
    if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output}`);
    result = await aptGet(install);
  }
  if (result.code !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${result.output}`);
}
