/**
 * A child process we run and watch: the one implementation behind `npm start`'s services
 * (tools/platform/src/start.mjs) and the test harness's processes (libs/testing ManagedProcess).
 *
 * - Its output goes to a log file, with a JSON line where each run began and how it ended, and
 *   line by line to `onLine` (npm start echoes it with a [name] tag).
 * - Ready when its URL answers 2xx, a line of its output matches, or a check holds.
 * - stop() drains it: SIGTERM, then SIGKILL after the grace period; kill() is a crash (SIGKILL).
 * - With `group`, it leads a process group of its own, so that whatever it forked (the
 *   ingest-api's cluster workers) is signalled with it and nothing it left behind outlives it,
 *   and a Ctrl-C in the terminal reaches only the parent, which drains in order.
 * - With `restart`, an exit nobody asked for is followed by a new start after a backoff (1 s,
 *   doubling, at most 30 s), until it has crashed `maxCrashes` times within `windowMs`: then the
 *   caller is told, with the tail of its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HeraldError } from '@herald/errors';
import { tailFile } from './files';
import { waitFor } from './wait';

export interface RestartPolicy {
  firstBackoffMs: number;
  maxBackoffMs: number;
  maxCrashes: number;
  windowMs: number;
}

export const RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({ firstBackoffMs: 1_000, maxBackoffMs: 30_000, maxCrashes: 5, windowMs: 120_000 });

export interface RestartHooks {
  policy?: RestartPolicy;
  /** A line for the person watching: a crash and the restart planned. */
  say: (line: string) => void;
  /** It kept crashing: no more restarts. */
  onGiveUp: (child: Child, crashes: number, tail: string) => void;
  /** After a crash restart, once it is ready again. */
  onRestarted?: (child: Child) => void | Promise<void>;
}

export interface ChildSpec {
  /** A short name for logs, e.g. "email-worker". */
  name: string;
  /** The program (default: this Node.js). */
  command?: string;
  /** Its arguments (for Node.js: the script first). */
  args: string[];
  cwd: string;
  /** The whole environment; a function is called at every start, so a restart sees what changed. */
  env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  logFile: string;
  /** Ready once this URL answers 2xx... */
  readyUrl?: string;
  /** ...or once a line of its output matches... */
  readyLine?: RegExp;
  /** ...or once this holds. */
  readyCheck?: () => Promise<boolean>;
  /** Every line of its output (stdout and stderr). */
  onLine?: (line: string) => void;
  /** How long a drain may take before SIGKILL (default 40 s). */
  graceMs?: number;
  /** Run it as the leader of a process group of its own (see above). */
  group?: boolean;
  restart?: RestartHooks;
}

/** It exited, or did not get ready in time, while being started; the message has its log's tail. */
export class ChildNotReadyError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_PROCESS_CHILD_NOT_READY';
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class Child {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private lastExitCode: number | null = null;
  private crashes: number[] = [];
  private stopping = false;
  private planned = false;
  /** The current run was ended on purpose (stop(), kill()). */
  private endedOnPurpose = false;
  private lineSeen = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Whether it was given up on after crashing too often. */
  gaveUp = false;
  /** How many times it was started. */
  starts = 0;

  constructor(readonly spec: ChildSpec) {
    mkdirSync(dirname(spec.logFile), { recursive: true });
  }

  get name(): string {
    return this.spec.name;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code of its last run (null: none yet, or killed by a signal). */
  get exitCode(): number | null {
    return this.lastExitCode;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns it (again, when it has exited); see ready() and started(). */
  start(): this {
    this.stopping = false;
    this.endedOnPurpose = false;
    this.lineSeen = false;
    this.starts += 1;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    log.on('error', () => undefined); // a log that cannot be written must not stop the supervision
    const logWritten = new Promise<void>((resolve) => {
      log.once('close', resolve);
      log.once('error', () => resolve());
    });
    let ended = false;
    const mark = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
      if (!ended) log.write(`${JSON.stringify({ level, time: new Date().toISOString(), process: this.name, ...fields, msg })}\n`);
    };
    mark('info', `starting ${this.name}`, { start: this.starts });
    const env = typeof this.spec.env === 'function' ? this.spec.env() : this.spec.env;
    const child = spawn(this.spec.command ?? process.execPath, this.spec.args, { cwd: this.spec.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: this.spec.group ?? false });
    this.child = child;
    let open = 3; // stdout, stderr and the exit: the log is closed after all three
    const closeOne = () => {
      open -= 1;
      if (open > 0 || ended) return;
      ended = true;
      log.end();
    };
    const line = (text: string) => {
      if (this.spec.readyLine?.test(text)) this.lineSeen = true;
      this.spec.onLine?.(text);
    };
    // Lines are cut only for someone who reads them (the harness's processes just log).
    const readsLines = this.spec.readyLine !== undefined || this.spec.onLine !== undefined;
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        log.write(chunk);
        if (!readsLines) return;
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const text of lines) if (text) line(text);
      });
      stream?.once('close', () => {
        if (rest) line(rest);
        closeOne();
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // spawn itself failed: no 'exit' follows
        mark('error', `cannot run ${this.spec.command ?? this.spec.args[0]}: ${error.message}`);
        if (child.pid === undefined) {
          closeOne();
          resolve(this.onExit(child, 127, null));
        }
      });
      child.once('exit', (code, signal) => {
        const asked = this.stopping || this.planned || this.endedOnPurpose;
        mark(asked ? 'info' : 'error', `${this.name} exited${asked ? '' : ' on its own'}`, { code, signal });
        closeOne();
        // Once its output is in the log (a tail() after the exit sees all of it); not longer than
        // a second, for output pipes a grandchild still holds open.
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([logWritten, new Promise((r) => (timer = setTimeout(r, 1_000)))]).then(() => {
          clearTimeout(timer);
          resolve(this.onExit(child, code, signal));
        });
      });
    });
    return this;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): number | null {
    if (this.child === child) this.child = undefined;
    this.lastExitCode = code;
    if (this.spec.group) signalGroup(child, 'SIGKILL'); // whatever it left behind
    if (this.stopping) return code;
    if (this.planned) {
      this.planned = false;
      this.start();
      return code;
    }
    if (this.spec.restart) this.crashed(this.spec.restart, signal ? `was killed (${signal})` : `exited (code ${code})`);
    return code;
  }

  private crashed(hooks: RestartHooks, how: string): void {
    const policy = hooks.policy ?? RESTART_POLICY;
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < policy.windowMs);
    this.crashes.push(now);
    if (this.crashes.length >= policy.maxCrashes) {
      this.gaveUp = true;
      hooks.onGiveUp(this, this.crashes.length, this.tail(30) || '(no log)');
      return;
    }
    const backoff = Math.min(policy.maxBackoffMs, policy.firstBackoffMs * 2 ** (this.crashes.length - 1));
    hooks.say(`${this.name} ${how}; restarting it in ${seconds(backoff)} (crash ${this.crashes.length} within ${seconds(policy.windowMs)}; it is given up at ${policy.maxCrashes}). Its log: ${this.logFile}`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.start();
      void this.ready(120_000).then(async (ok) => {
        if (!ok || this.stopping) return;
        hooks.say(`${this.name} is ready again after its restart`);
        await hooks.onRestarted?.(this);
      });
    }, backoff);
  }

  /** Stops and starts it again (not counted as a crash), e.g. to pick up a changed environment. */
  restart(): void {
    if (this.stopping || !this.child) return; // not running: the next start reads the environment anyway
    this.planned = true;
    this.child.kill('SIGTERM');
  }

  private async isReady(): Promise<boolean> {
    const { readyUrl, readyLine, readyCheck } = this.spec;
    if (readyLine && !this.lineSeen) return false;
    if (readyCheck && !(await readyCheck())) return false;
    if (readyUrl) {
      try {
        if (!(await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) })).ok) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /**
   * Resolves once it is ready (every ready condition given holds; none given: at once).
   * @returns false when it was not within the time, exited and is not coming back, or is stopping
   */
  async ready(timeoutMs: number): Promise<boolean> {
    const gone = () => this.stopping || this.gaveUp || (!this.running && !this.spec.restart && !this.planned);
    try {
      return await waitFor(`${this.name} ready`, () => !gone() && this.running && this.isReady(), { timeoutMs, intervalMs: 100, abortIf: () => (gone() ? 'gone' : undefined) });
    } catch {
      return false;
    }
  }

  /**
   * Starts it and waits until it is ready; throws ChildNotReadyError, with its log's tail, when it
   * exits on its own first or is not ready in time. Killed or stopped meanwhile and started again
   * (a failure test's chaos), it waits for that next run.
   */
  async started(timeoutMs = 60_000): Promise<this> {
    this.start();
    const run = this.starts;
    const exitedOnItsOwn = () => (!this.running && this.starts === run && !this.endedOnPurpose ? 'it exited during start' : undefined);
    try {
      await waitFor(`${this.name} ready`, () => this.running && this.isReady(), { timeoutMs, intervalMs: 100, abortIf: exitedOnItsOwn });
    } catch (error) {
      throw new ChildNotReadyError(`${error instanceof Error ? error.message : String(error)}; see ${this.logFile}:\n${this.tail()}`, { cause: error });
    }
    return this;
  }

  /**
   * Drains it: SIGTERM, then SIGKILL (to its group, with `group`) after `graceMs`.
   * @returns its exit code; undefined when it was not running
   */
  async stop(graceMs = this.spec.graceMs ?? 40_000, onKill?: () => void): Promise<number | null | undefined> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || !this.running) return undefined;
    this.endedOnPurpose = true;
    const timer = setTimeout(() => {
      onKill?.();
      if (this.spec.group) signalGroup(child, 'SIGKILL');
      else child.kill('SIGKILL');
    }, graceMs);
    child.kill('SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL to the process itself: a crash, nothing drained (with `restart`, it is restarted). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.endedOnPurpose = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** The exit code of the current run once it ends (of the last run when it is not running). */
  waitForExit(): Promise<number | null> {
    return this.running ? this.exited : Promise.resolve(this.lastExitCode);
  }

  /** The last lines of its log, for failure messages. */
  tail(lines = 40): string {
    return tailFile(this.logFile, lines);
  }
}

/** Signals a child's whole process group (it leads one); nothing when it is gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // no process left in the group
  }
}
