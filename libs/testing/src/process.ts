/**
 * Processes started by tests (Herald services, sinks): spawned for real, logs to a file per
 * process, and controllable the way failure tests need: SIGTERM (drain), SIGKILL (crash),
 * restart with the same settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@herald/runtime';
import { baseEnv, repoRoot, testConfig } from './config';

export interface ProcessSpec {
  /** A short name for logs, e.g. "email-worker". */
  name: string;
  /** The program (default: this Node.js). */
  command?: string;
  /** Its arguments (for Node.js: the script first). */
  args: string[];
  env: Record<string, string>;
  /** An HTTP URL that answers 200 once the process is ready. */
  readyUrl?: string;
  /** Or any condition that says the process is ready. */
  readyCheck?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Folder (under the harness log dir) for this test's logs. */
  logGroup: string;
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private starts = 0;
  readonly logFile: string;

  constructor(readonly spec: ProcessSpec) {
    const dir = join(repoRoot, testConfig().HERALD_TEST_LOG_DIR, spec.logGroup);
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, `${spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<this> {
    this.starts += 1;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    log.write(`\n--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(this.spec.command ?? process.execPath, this.spec.args, { cwd: repoRoot, env: { ...baseEnv(), ...this.spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        log.end(`--- exit ${code ?? child.signalCode} at ${new Date().toISOString()}\n`);
        resolve(code);
      });
    });
    if (this.spec.readyCheck) {
      const check = this.spec.readyCheck;
      await waitFor(`${this.spec.name} ready`, async () => {
        if (!this.running) throw new Error(`${this.spec.name} exited during start; see ${this.logFile}:\n${this.tail()}`);
        return check();
      }, { timeoutMs: this.spec.readyTimeoutMs ?? 60_000, intervalMs: 100 });
    }
    if (this.spec.readyUrl) {
      const url = this.spec.readyUrl;
      await waitFor(
        `${this.spec.name} ready at ${url}`,
        async () => {
          if (!this.running) throw new Error(`${this.spec.name} exited during start; see ${this.logFile}:\n${this.tail()}`);
          const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
          return response.ok;
        },
        { timeoutMs: this.spec.readyTimeoutMs ?? 60_000, intervalMs: 100 },
      );
    }
    return this;
  }

  /** SIGTERM and wait for the exit code (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, nothing drained. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

export function startProcess(spec: ProcessSpec): Promise<ManagedProcess> {
  return new ManagedProcess(spec).start();
}
