/**
 * Daemons the local platform leaves running between commands (Kafka, MailDev, the SMS sink,
 * Redis): made sure of by ensureDaemon, started detached in a process group of their own with a
 * pid file, found again through that pid file, and stopped by it. A stale pid file (its process
 * gone, or its pid reused by another program) is recognised by the process's command line.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tailFile } from './files';
import { withLock } from './lock';
import { isAlive, processCommandLine, signalTree } from './proc';
import { waitFor } from './wait';

/** The pid in a pid file, or null. */
function readPidFile(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The pid recorded in `file` when that process still runs and its command line contains `match`;
 * otherwise null (and a stale pid file is removed).
 */
export function runningPidFromFile(file: string, match?: string): number | null {
  const pid = readPidFile(file);
  if (pid === null) return null;
  const cmd = processCommandLine(pid);
  if (isAlive(pid) && (match === undefined || cmd === null || cmd.includes(match))) return pid;
  rmSync(file, { force: true });
  return null;
}

export interface DetachedProcess {
  pid: number;
  /** null while it runs (as far as this process has seen). */
  exitStatus: () => { code: number | null; signal: NodeJS.Signals | null } | null;
}

/**
 * Starts a process in its own process group, detached from ours, with stdout and stderr appended
 * to `logFile` and its pid written to `pidFile`. It keeps running after our process exits.
 */
async function spawnDetached({ command, args, logFile, pidFile, cwd, env }: { command: string; args: string[]; logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<DetachedProcess> {
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(dirname(pidFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  try {
    const child = spawn(command, args, { cwd, ...(env ? { env } : {}), detached: true, stdio: ['ignore', fd, fd] }); // no env: ours
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    child.unref();
    const pid = child.pid as number;
    writeFileSync(pidFile, `${pid}\n`);
    return { pid, exitStatus: () => exited };
  } finally {
    closeSync(fd);
  }
}

export type StopResult = 'not-running' | 'terminated' | 'killed' | 'mismatch';

/**
 * Stops a process: SIGTERM (to its process group when it leads one, as spawnDetached's children
 * do), then SIGKILL when it is still alive after `graceMs`. Resolves once it is gone. With
 * `expect`, only a process whose command line contains it is signalled (a stale pid file's pid
 * may have been reused).
 */
async function stopPid(pid: number, { graceMs = 10_000, expect }: { graceMs?: number; expect?: string } = {}): Promise<StopResult> {
  if (!isAlive(pid)) return 'not-running';
  if (expect !== undefined) {
    const cmd = processCommandLine(pid);
    if (cmd !== null && !cmd.includes(expect)) return 'mismatch';
  }
  signalTree(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(100);
  }
  signalTree(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  return 'killed';
}

/** Stops the process recorded in a pid file (see stopPid) and removes the pid file. */
export async function stopPidFile(pidFile: string, options: { graceMs?: number; expect?: string } = {}): Promise<StopResult> {
  const pid = readPidFile(pidFile);
  const result = pid === null ? 'not-running' : await stopPid(pid, options);
  if (result !== 'mismatch') rmSync(pidFile, { force: true });
  return result;
}

export interface DaemonSpec<T> {
  /** For messages: "maildev", "kafka". */
  name: string;
  pidFile: string;
  logFile: string;
  /** The lock that makes concurrent starts (two terminals, parallel test workers) start it once. */
  lockFile: string;
  /** Text its command line contains: a pid file's pid that runs something else is stale. */
  match: string;
  /** Resolves truthy (its version, say) once it answers as itself; falsy before. */
  answers: () => Promise<T | null | undefined | false>;
  /** Runs before it is started (installs it); when it answers afterwards (an installer started it), it is reused. */
  prepare?: () => Promise<void>;
  /** Why it cannot be started (its port taken by something else), or null. */
  conflict: () => Promise<string | null>;
  /** What to run, prepared only when it must be started (Kafka resolves its jars and formats its storage here). */
  command: () => Promise<{ command: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }>;
  timeoutMs: number;
  intervalMs?: number;
  /** Other logs whose end a failure shows (besides logFile). */
  moreLogs?: string[];
  log: (line: string) => void;
}

export interface Daemon<T> {
  pid: number | null;
  startedByUs: boolean;
  /** What `answers` resolved. */
  found: T;
}

/**
 * Makes sure a daemon answers: reuses the one that does (whoever started it), waits for one this
 * tooling started earlier that is still coming up, or starts it detached with its pid file and
 * waits until it answers (stopping it again, and showing the end of its logs, when it does not).
 */
export async function ensureDaemon<T>(spec: DaemonSpec<T>): Promise<Daemon<T>> {
  const { name, pidFile, logFile, match, log } = spec;
  const running = await spec.answers();
  if (running) return { pid: runningPidFromFile(pidFile, match), startedByUs: false, found: running };
  return withLock(
    spec.lockFile,
    async () => {
      const ownPid = runningPidFromFile(pidFile, match);
      const now = await spec.answers();
      if (now) return { pid: ownPid, startedByUs: false, found: now };
      if (ownPid !== null) {
        log(`${name}: started earlier (pid ${ownPid}) and not answering yet; waiting for it`);
        return { pid: ownPid, startedByUs: false, found: await untilAnswers(spec, ownPid) };
      }
      if (spec.prepare) {
        await spec.prepare();
        const late = await spec.answers();
        if (late) return { pid: null, startedByUs: false, found: late };
      }
      const conflict = await spec.conflict();
      if (conflict) throw new Error(`${name}: ${conflict}`);
      const child = await spawnDetached({ ...(await spec.command()), logFile, pidFile });
      try {
        return { pid: child.pid, startedByUs: true, found: await untilAnswers(spec, child.pid, child.exitStatus) };
      } catch (error) {
        await stopPidFile(pidFile, { graceMs: 5_000, expect: match });
        throw error;
      }
    },
    { log: (line) => log(`${name}: ${line}`) },
  );
}

async function untilAnswers<T>(spec: DaemonSpec<T>, pid: number, exitStatus?: DetachedProcess['exitStatus']): Promise<T> {
  try {
    return await waitFor(`${spec.name} (pid ${pid})`, spec.answers, {
      timeoutMs: spec.timeoutMs,
      intervalMs: spec.intervalMs ?? 250,
      log: (line) => spec.log(`${spec.name}: ${line}`),
      abortIf: () => {
        const status = exitStatus?.();
        if (status) return `it exited (code ${status.code}, signal ${status.signal})`;
        return isAlive(pid) ? undefined : 'it exited';
      },
    });
  } catch (error) {
    const tails = [spec.logFile, ...(spec.moreLogs ?? [])].map((file) => `--- last lines of ${file} ---\n${tailFile(file, 30)}`);
    throw new Error(`${spec.name}: ${(error as Error).message}\n${tails.join('\n')}`, { cause: error });
  }
}
