/**
 * What Linux's /proc says about a process: its state, parent, group, CPU time and memory, and its
 * command line. The one /proc reader of the tools (pid files, stopping daemons, the bench's CPU
 * figures). Elsewhere than Linux these answer null or empty.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z (zombie), X (dead)... */
  state: string;
  ppid: number;
  /** The process group. */
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Resident set, in pages. */
  rssPages: number;
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, pgrp 5, utime 14, stime 15, rss 24.
  const at = (field: number) => Number(fields[field - 3]);
  return { pid, comm: text.slice(open + 1, close), state: fields[0] ?? '', ppid: at(4), pgrp: at(5), cpuTicks: at(14) + at(15), rssPages: at(24) };
}

/** /proc/<pid>/stat, or null when there is no such process (or no /proc). */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every process's stat, by pid. */
export function readAllStats(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return all;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) all.set(stat.pid, stat); // else: it ended between the listing and the read
  }
  return all;
}

/** The command line of a process, arguments joined by spaces; null when it cannot be read. */
export function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = readStat(pid)?.state;
  return state !== 'Z' && state !== 'X'; // no /proc: kill(0) is trusted
}

/** Signals a process, and its whole group when it leads one; nothing when it is gone. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  const leader = readStat(pid)?.pgrp === pid;
  try {
    process.kill(leader ? -pid : pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
