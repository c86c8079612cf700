// @ts-check
/**
 * Process helpers for the local platform: start a detached process with a pid file, wait for a
 * TCP port or an HTTP URL with a deadline, stop a process by pid (SIGTERM, then SIGKILL after a
 * grace period), run a command and capture its output.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @typedef {(line: string) => void} LogFn */

/**
 * Whether a process with this pid exists (and is not a zombie).
 * @param {number} pid
 * @returns {boolean}
 */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." ; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // No /proc (not Linux): trust kill(0).
  }
  return true;
}

/**
 * The command line of a running process (arguments joined by spaces), or null.
 * @param {number} pid
 * @returns {string | null}
 */
export function processCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

/**
 * Read a pid file.
 * @param {string} file
 * @returns {number | null}
 */
export function readPidFile(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The pid recorded in `file` when that process is still running and its command line contains
 * `match`; otherwise null (a stale pid file is removed).
 * @param {string} file
 * @param {string} [match]
 * @returns {number | null}
 */
export function runningPidFromFile(file, match) {
  const pid = readPidFile(file);
  if (pid === null) return null;
  const cmd = processCommandLine(pid);
  if (isAlive(pid) && (match === undefined || cmd === null || cmd.includes(match))) return pid;
  rmSync(file, { force: true });
  return null;
}

/**
 * @typedef {object} DetachedProcess
 * @property {number} pid
 * @property {() => { code: number | null, signal: NodeJS.Signals | null } | null} exitStatus
 *   null while running (as far as this process has seen).
 */

/**
 * Start a process in its own process group, detached from ours, with stdout and stderr appended
 * to `logFile` and its pid written to `pidFile`. It keeps running after our process exits.
 * @param {object} options
 * @param {string} options.command
 * @param {string[]} options.args
 * @param {string} options.logFile
 * @param {string} options.pidFile
 * @param {string} [options.cwd]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {Promise<DetachedProcess>}
 */
export async function spawnDetached({ command, args, logFile, pidFile, cwd, env }) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  mkdirSync(path.dirname(pidFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
  let exited = null;
  try {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    child.unref();
    const pid = /** @type {number} */ (child.pid);
    writeFileSync(pidFile, `${pid}\n`);
    return { pid, exitStatus: () => exited };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether something accepts TCP connections on host:port.
 * @param {object} options
 * @param {number} options.port
 * @param {string} [options.host]
 * @param {number} [options.timeoutMs]
 * @returns {Promise<boolean>}
 */
export function isPortOpen({ port, host = '127.0.0.1', timeoutMs = 1000 }) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (/** @type {boolean} */ open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Poll `check` until it returns a truthy value, or fail at the deadline.
 * @template T
 * @param {() => Promise<T | undefined | null | false>} check
 * @param {object} options
 * @param {string} options.what what we wait for, for messages ("Kafka on 127.0.0.1:9092")
 * @param {number} [options.timeoutMs]
 * @param {number} [options.intervalMs]
 * @param {LogFn} [options.log] progress lines go here
 * @param {number} [options.progressEveryMs]
 * @param {() => string | null | undefined} [options.abortIf] a reason to stop waiting early
 *   (e.g. the process exited)
 * @returns {Promise<T>}
 */
export async function waitFor(check, { what, timeoutMs = 30_000, intervalMs = 250, log, progressEveryMs = 5000, abortIf }) {
  const start = Date.now();
  let nextProgress = start + progressEveryMs;
  /** @type {unknown} */
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    const reason = abortIf?.();
    if (reason) throw new Error(`stopped waiting for ${what}: ${reason}`);
    const now = Date.now();
    if (now - start >= timeoutMs) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${detail}`);
    }
    if (log && now >= nextProgress) {
      log(`waiting for ${what} (${Math.round((now - start) / 1000)}s)`);
      nextProgress = now + progressEveryMs;
    }
    await sleep(intervalMs);
  }
}

/**
 * Wait until host:port accepts TCP connections.
 * @param {object} options
 * @param {number} options.port
 * @param {string} [options.host]
 * @param {number} [options.timeoutMs]
 * @param {LogFn} [options.log]
 * @param {string} [options.what]
 * @param {() => string | null | undefined} [options.abortIf]
 * @returns {Promise<void>}
 */
export async function waitForPort({ port, host = '127.0.0.1', timeoutMs = 30_000, log, what, abortIf }) {
  await waitFor(() => isPortOpen({ port, host }), { what: what ?? `${host}:${port}`, timeoutMs, log, abortIf });
}

/**
 * GET a URL with a short timeout; resolves to the status and body text, or null when nothing
 * answers.
 * @param {string} url
 * @param {number} [timeoutMs]
 * @returns {Promise<{ status: number, body: string, contentType: string } | null>}
 */
export async function httpGet(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  } catch {
    return null;
  }
}

/**
 * Wait until GET `url` answers and `accept(status, body)` holds (default: status 2xx).
 * @param {object} options
 * @param {string} options.url
 * @param {(status: number, body: string) => boolean} [options.accept]
 * @param {number} [options.timeoutMs]
 * @param {LogFn} [options.log]
 * @param {string} [options.what]
 * @param {() => string | null | undefined} [options.abortIf]
 * @returns {Promise<void>}
 */
export async function waitForHttp({ url, accept = (status) => status >= 200 && status < 300, timeoutMs = 30_000, log, what, abortIf }) {
  await waitFor(
    async () => {
      const res = await httpGet(url);
      return res !== null && accept(res.status, res.body);
    },
    { what: what ?? url, timeoutMs, log, abortIf },
  );
}

/**
 * Stop a process: SIGTERM (to its process group when it leads one, as spawnDetached's children
 * do), then SIGKILL if it is still alive after `graceMs`. Resolves once it is gone.
 * @param {number} pid
 * @param {object} [options]
 * @param {number} [options.graceMs]
 * @param {string} [options.expect] only signal the process when its command line contains this
 *   (protects against a stale pid file whose pid was reused)
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopPid(pid, { graceMs = 10_000, expect } = {}) {
  if (!isAlive(pid)) return 'not-running';
  if (expect !== undefined) {
    const cmd = processCommandLine(pid);
    if (cmd !== null && !cmd.includes(expect)) return 'mismatch';
  }
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  return 'killed';
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} sig
 */
function signal(pid, sig) {
  let groupLeader = false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    groupLeader = Number(fields[2]) === pid; // field 5 of stat is pgrp
  } catch {
    // not Linux, or gone
  }
  try {
    process.kill(groupLeader ? -pid : pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * Stop the process recorded in a pid file (see stopPid) and remove the pid file.
 * @param {string} pidFile
 * @param {object} [options]
 * @param {number} [options.graceMs]
 * @param {string} [options.expect]
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopPidFile(pidFile, options = {}) {
  const pid = readPidFile(pidFile);
  const result = pid === null ? 'not-running' : await stopPid(pid, options);
  if (result !== 'mismatch') rmSync(pidFile, { force: true });
  return result;
}

/**
 * The last `lines` lines of a text file ('' when missing).
 * @param {string} file
 * @param {number} [lines]
 * @returns {string}
 */
export function tailFile(file, lines = 40) {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const length = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} output stdout and stderr interleaved, as they came
 */

/**
 * Run a command to completion and capture its output (never throws for a non-zero exit).
 * @param {string} command
 * @param {string[]} args
 * @param {object} [options]
 * @param {string} [options.cwd]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @param {number} [options.timeoutMs]
 * @param {(chunk: string) => void} [options.onOutput]
 * @returns {Promise<RunResult>}
 */
export function run(command, args, { cwd, env, timeoutMs, onOutput } = {}) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let output = '';
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    if (timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    }
    child.stdout.setEncoding('utf8').on('data', (/** @type {string} */ d) => {
      stdout += d;
      output += d;
      onOutput?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (/** @type {string} */ d) => {
      stderr += d;
      output += d;
      onOutput?.(d);
    });
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, stdout, stderr, output: `${output}${err.message}\n` });
    });
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, output });
    });
  });
}

/**
 * Whether an executable is on PATH (or is an existing path).
 * @param {string} name
 * @returns {boolean}
 */
export function commandExists(name) {
  if (name.includes('/')) return existsSync(name);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return true;
  }
  return false;
}

/**
 * Install Debian packages with apt-get (non-interactive). Throws with apt-get's output on failure.
 * @param {string[]} packages
 * @param {LogFn} [log]
 * @returns {Promise<void>}
 */
export async function aptInstall(packages, log) {
  if (!commandExists('apt-get')) {
    throw new Error(`cannot install ${packages.join(', ')}: apt-get is not available on this machine`);
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log?.(`installing ${packages.join(', ')} with apt-get`);
  const exec = (/** @type {string[]} */ args) =>
    sudo[0] ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env });
  let result = await exec(['install', '-y', '--no-install-recommends', ...packages]);
  if (result.code !== 0) {
    log?.('apt-get install failed; running apt-get update and retrying');
    const update = await exec(['update']);
    if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output}`);
    result = await exec(['install', '-y', '--no-install-recommends', ...packages]);
  }
  if (result.code !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${result.output}`);
}

/**
 * Run `fn` while holding an exclusive lock file (created with O_EXCL, holding our pid). A lock
 * whose holder is no longer running is taken over. Used so that two concurrent starts of the same
 * service (two terminals, parallel test workers) start it only once.
 * @template T
 * @param {string} lockFile
 * @param {() => Promise<T>} fn
 * @param {object} [options]
 * @param {number} [options.timeoutMs] how long to wait for another holder (default 5 min)
 * @param {LogFn} [options.log]
 * @returns {Promise<T>}
 */
export async function withLock(lockFile, fn, { timeoutMs = 300_000, log } = {}) {
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      const holder = readPidFile(lockFile);
      if (holder === null || !isAlive(holder)) {
        // stale (holder gone) or being written right now: remove only if still stale after a beat
        await sleep(50);
        const again = readPidFile(lockFile);
        if (again === null || !isAlive(again)) rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for lock ${lockFile} held by pid ${holder}`);
      if (!announced) {
        log?.(`waiting for pid ${holder}, which holds ${path.basename(lockFile)}`);
        announced = true;
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
