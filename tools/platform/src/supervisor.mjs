// @ts-check
/**
 * The processes `npm start` runs (Herald's services, the webhook receiver, provider emulators),
 * each supervised: its output goes to .local/logs/<name>.log and to the terminal with a [name]
 * tag; a process that exits without being asked to is started again after a backoff (1 s,
 * doubling, at most 30 s), and given up on when it has crashed RESTART_POLICY.maxCrashes times
 * within RESTART_POLICY.windowMs (the caller is told, with the tail of its log). stop() drains it:
 * SIGTERM, then SIGKILL to its whole process group after the grace period. Each process runs in a
 * process group of its own, so that whatever it forked (the ingest-api's cluster workers) goes
 * with it, and so that a Ctrl-C in the terminal reaches only `npm start`, which drains in order.
 * Only Node built-ins and process-utils are imported here.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { tailFile } from './process-utils.mjs';

export const RESTART_POLICY = Object.freeze({ firstBackoffMs: 1_000, maxBackoffMs: 30_000, maxCrashes: 5, windowMs: 120_000 });

/**
 * @typedef {object} ServiceSpec
 * @property {string} name
 * @property {string[]} args what node runs: the script and its arguments
 * @property {() => NodeJS.ProcessEnv} env computed at every start, so a restart sees what changed
 * @property {string} cwd
 * @property {string} [readyUrl] answers 2xx once the process is ready
 * @property {RegExp} [readyLine] or: a line of its output that says it is ready
 * @property {(line: string) => void} [onLine] every line of its output
 * @property {number} [graceMs] how long a drain may take before SIGKILL (default 40 s)
 */

/**
 * @typedef {object} SupervisorHooks
 * @property {string} logDir
 * @property {(line: string) => void} say
 * @property {(service: Service, crashes: number, tail: string) => void} onGiveUp
 * @property {(service: Service) => void | Promise<void>} [onRestarted] after a crash restart, once ready again
 * @property {typeof RESTART_POLICY} [policy]
 */

/** @param {number} ms */
const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;

export class Service {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  child;
  /** Crash times within the window. @type {number[]} */
  crashes = [];
  stopping = false;
  gaveUp = false;
  /** A restart asked for (restart()), not a crash. */
  planned = false;
  /** How many times it was started. */
  starts = 0;
  /** The ready line was seen since the last start. */
  lineSeen = false;
  /** @type {NodeJS.Timeout | undefined} */
  restartTimer;
  /** @type {Array<() => void>} */
  exitWaiters = [];

  /**
   * @param {ServiceSpec} spec
   * @param {SupervisorHooks} hooks
   */
  constructor(spec, hooks) {
    this.spec = spec;
    this.hooks = hooks;
    this.policy = hooks.policy ?? RESTART_POLICY;
  }

  get name() {
    return this.spec.name;
  }

  get logFile() {
    return path.join(this.hooks.logDir, `${this.spec.name}.log`);
  }

  start() {
    if (this.stopping) return;
    this.lineSeen = false;
    this.starts += 1;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    log.on('error', () => undefined); // a log that cannot be written must not stop the supervision
    let ended = false;
    // JSON lines like the services' own, so that the log says where each run began and how it ended.
    const mark = (/** @type {string} */ level, /** @type {string} */ msg, /** @type {Record<string, unknown>} */ fields = {}) => {
      if (!ended) log.write(`${JSON.stringify({ level, time: new Date().toISOString(), service: 'npm-start', process: this.name, ...fields, msg })}\n`);
    };
    mark('info', `starting ${this.name}`, { start: this.starts });
    const child = spawn(process.execPath, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const tag = `[${this.spec.name}]`.padEnd(19);
    let open = 3; // stdout, stderr and the exit: the log is closed after all three
    const closeOne = () => {
      open -= 1;
      if (open === 0) {
        ended = true;
        log.end();
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (/** @type {string} */ chunk) => {
        log.write(chunk);
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          process.stdout.write(`${tag} ${line}\n`);
          if (this.spec.readyLine?.test(line)) this.lineSeen = true;
          this.spec.onLine?.(line);
        }
      });
      stream?.once('close', () => {
        if (rest) process.stdout.write(`${tag} ${rest}\n`);
        closeOne();
      });
    }
    child.once('error', (error) => {
      // spawn itself failed (no 'exit' follows)
      mark('error', `cannot run ${this.spec.args[0]}: ${error.message}`);
      if (child.pid === undefined) this.exited(child, 127, null);
    });
    child.once('exit', (code, signal) => {
      mark(this.stopping || this.planned ? 'info' : 'error', `${this.name} exited${this.stopping || this.planned ? '' : ' on its own'}`, { code, signal });
      closeOne();
      this.exited(child, code, signal);
    });
  }

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {number | null} code
   * @param {NodeJS.Signals | null} signal
   */
  exited(child, code, signal) {
    if (this.child === child) this.child = undefined;
    killGroup(child, 'SIGKILL'); // whatever it left behind
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (this.stopping) return;
    if (this.planned) {
      this.planned = false;
      this.start();
      return;
    }
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < this.policy.windowMs);
    this.crashes.push(now);
    const how = signal ? `was killed (${signal})` : `exited (code ${code})`;
    const logName = path.relative(process.cwd(), this.logFile);
    if (this.crashes.length >= this.policy.maxCrashes) {
      this.gaveUp = true;
      this.hooks.onGiveUp(this, this.crashes.length, tailFile(this.logFile, 30) || '(no log)');
      return;
    }
    const backoff = Math.min(this.policy.maxBackoffMs, this.policy.firstBackoffMs * 2 ** (this.crashes.length - 1));
    this.hooks.say(
      `\nnpm start: ${this.name} ${how}; restarting it in ${seconds(backoff)} (crash ${this.crashes.length} within ${seconds(this.policy.windowMs)}; it is given up at ${this.policy.maxCrashes}). Its log: ${logName}`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.start();
      void this.ready(120_000).then(async (ok) => {
        if (!ok || this.stopping) return;
        this.hooks.say(`npm start: ${this.name} is ready again after its restart`);
        await this.hooks.onRestarted?.(this);
      });
    }, backoff);
  }

  /** Stops and starts it again (not counted as a crash), e.g. to pick up a changed environment. */
  restart() {
    if (this.stopping) return;
    if (!this.child) return; // waiting to be restarted anyway: the next start reads the environment again
    this.planned = true;
    this.child.kill('SIGTERM');
  }

  /**
   * Waits until it is ready (its URL answers, or its ready line was printed).
   * @param {number} timeoutMs
   * @returns {Promise<boolean>} false when it was not within the time, was given up or is stopping
   */
  async ready(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.stopping && !this.gaveUp) {
      if (this.child) {
        if (this.spec.readyLine && this.lineSeen) return true;
        if (this.spec.readyUrl) {
          try {
            if ((await fetch(this.spec.readyUrl, { signal: AbortSignal.timeout(1_000) })).ok) return true;
          } catch {
            // not yet
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }

  /**
   * Drains it: SIGTERM, and SIGKILL to its process group after the grace period.
   * @returns {Promise<boolean>} whether it was running
   */
  async stop() {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return false;
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.hooks.say(`  ${this.name} did not stop within ${seconds(this.spec.graceMs ?? 40_000)}: killing it`);
        killGroup(child, 'SIGKILL');
      }, this.spec.graceMs ?? 40_000);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
      child.kill('SIGTERM');
    });
    return true;
  }
}

/**
 * Signals a child's whole process group (it leads one: spawned detached); nothing when it is gone.
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // no process left in the group
  }
}
