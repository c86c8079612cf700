/**
 * Processes started by tests (Herald services, sinks, emulators): @herald/process's Child (the
 * one `npm start` runs its services with), with a log file per process under the harness's log
 * folder and the harness's environment, and controllable the way failure tests need: SIGTERM
 * (drain), SIGKILL (crash), restart with the same settings.
 */
import { join } from 'node:path';
import { Child } from '@herald/process';
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
  private readonly child: Child;

  constructor(readonly spec: ProcessSpec) {
    this.child = new Child({
      name: spec.name,
      ...(spec.command ? { command: spec.command } : {}),
      args: spec.args,
      cwd: repoRoot,
      // Read at every start: a test changes spec.env and restarts the process to apply it.
      env: () => ({ ...baseEnv(), ...this.spec.env }),
      logFile: join(repoRoot, testConfig().HERALD_TEST_LOG_DIR, spec.logGroup, `${spec.name}.log`),
      ...(spec.readyUrl ? { readyUrl: spec.readyUrl } : {}),
      ...(spec.readyCheck ? { readyCheck: spec.readyCheck } : {}),
    });
  }

  get logFile(): string {
    return this.child.logFile;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  /** Starts it and waits until it is ready (throws, with the log's tail, when it exits first). */
  async start(): Promise<this> {
    await this.child.started(this.spec.readyTimeoutMs ?? 60_000);
    return this;
  }

  /** SIGTERM and wait for the exit code (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    const code = await this.child.stop(timeoutMs);
    return code === undefined ? this.child.exitCode : code;
  }

  /** SIGKILL: a crash, nothing drained. */
  kill(): Promise<void> {
    return this.child.kill();
  }

  waitForExit(): Promise<number | null> {
    return this.child.waitForExit();
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 40): string {
    return this.child.tail(lines);
  }
}
