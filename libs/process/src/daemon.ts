/**
 * Daemons the local platform leaves running between commands (Kafka, MailDev, the SMS sink,
 * Redis): started detached in a process group of their own with a pid file, found again through
 * that pid file, and stopped by it. A stale pid file (its process gone, or its pid reused by
 * another program) is recognised by the process's command line.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, processCommandLine, signalTree } from './proc';

/** The pid in a pid file, or null. */
export function readPidFile(file: string): number | null {
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
export async function spawnDetached({ command, args, logFile, pidFile, cwd, env }: { command: string; args: string[]; logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<DetachedProcess> {
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
export async function stopPid(pid: number, { graceMs = 10_000, expect }: { graceMs?: number; expect?: string } = {}): Promise<StopResult> {
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
