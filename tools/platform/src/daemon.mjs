// @ts-check
/**
 * One platform service run as a daemon of ours (Kafka, Redis, MailDev, the SMS sink): up, down and
 * status, each answered in one line, on @herald/process's ensureDaemon. Its pid, log and lock
 * files are .local/<name>/<name>-<port>.pid|.log|.lock; the pid file is what tells ours from one
 * started another way, which down leaves alone.
 */
import path from 'node:path';
import { ensureDaemon, runningPidFromFile, stopPidFile } from '@herald/process';
import { localPath } from './paths.mjs';

/** @typedef {(line: string) => void} LogFn */

/**
 * @typedef {{ log: LogFn, topicPrefix?: string, createTopics?: boolean }} UpOptions
 */

/**
 * What a platform service answers (platform.mjs runs them from its table).
 * @typedef {object} PlatformService
 * @property {(options: UpOptions) => Promise<{ startedNow: boolean, line: string }>} up
 * @property {(options?: { graceMs?: number }) => Promise<string>} down stops it when the platform started it (graceMs 0: SIGKILL at once); says what it did
 * @property {() => Promise<{ up: boolean, line: string }>} status
 */

/**
 * @template T
 * @typedef {object} DaemonDefinition
 * @property {string} name
 * @property {number} port the one it is known by (MailDev: SMTP)
 * @property {string} scheme of its address, shown first on each line (scheme://127.0.0.1:port)
 * @property {string} match a word of its command line (a reused pid is not taken for it)
 * @property {string} [dir] its folder (default .local/<name>)
 * @property {string} [file] base name of its pid, log and lock files (default <name>-<port>)
 * @property {() => Promise<T | null | undefined | false>} answers what answers on its address, if it is this service
 * @property {() => Promise<string | null>} conflict why it cannot start (a port taken by something else), or null
 * @property {(log: LogFn, dir: string) => Promise<{ command: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv }>} command
 * @property {(log: LogFn) => Promise<void>} [prepare] before the first start (install it)
 * @property {number} timeoutMs to wait for it to answer
 * @property {number} graceMs to drain before SIGKILL
 * @property {number} [intervalMs]
 * @property {string[]} [moreLogs] shown with its log when it does not answer
 * @property {(found: T, log: LogFn) => Promise<string> | string} [describe] what follows the address (a version...)
 * @property {(found: T, options: UpOptions) => Promise<string>} [afterUp] more of the up line (topics created...)
 */

/**
 * @template T
 * @param {DaemonDefinition<T>} d
 * @returns {PlatformService & { pid: () => number | null }}
 */
export function daemonService(d) {
  const dir = d.dir ?? localPath(d.name);
  const file = path.join(dir, d.file ?? `${d.name}-${d.port}`);
  const address = `${d.scheme}://127.0.0.1:${d.port}`;
  const pidFile = `${file}.pid`;
  const pid = () => runningPidFromFile(pidFile, d.match);
  const { prepare } = d;
  const describe = async (/** @type {T} */ found, /** @type {LogFn} */ log) => (d.describe ? `; ${await d.describe(found, log)}` : '');
  return {
    pid,
    async up(options) {
      const { log } = options;
      const started = await ensureDaemon({
        name: d.name,
        pidFile,
        logFile: `${file}.log`,
        lockFile: `${file}.lock`,
        match: d.match,
        answers: d.answers,
        ...(prepare ? { prepare: () => prepare(log) } : {}),
        conflict: d.conflict,
        command: () => d.command(log, dir),
        timeoutMs: d.timeoutMs,
        ...(d.intervalMs ? { intervalMs: d.intervalMs } : {}),
        ...(d.moreLogs ? { moreLogs: d.moreLogs } : {}),
        log,
      });
      const how = started.startedByUs ? `started (pid ${started.pid})` : started.pid !== null ? `reused (started earlier by the platform, pid ${started.pid})` : 'reused (already running)';
      const more = d.afterUp ? await d.afterUp(started.found, options) : '';
      return { startedNow: started.startedByUs, line: `${address}  ${how}${await describe(started.found, log)}${more}` };
    },
    async down({ graceMs = d.graceMs } = {}) {
      const was = pid();
      const result = await stopPidFile(pidFile, { graceMs, expect: d.match });
      if (result === 'not-running') return (await d.answers()) ? 'left running (not started by the platform)' : 'not running';
      return result === 'mismatch' ? `left running (its pid file names another process)` : `stopped (pid ${was}${result === 'killed' ? ', had to SIGKILL' : ''})`;
    },
    async status() {
      const ours = pid();
      const found = await d.answers();
      if (!found) return { up: false, line: `${address}  DOWN` };
      return { up: true, line: `${address}  up, ${ours !== null ? `started by the platform (pid ${ours})` : 'external'}${await describe(found, () => undefined)}` };
    },
  };
}
