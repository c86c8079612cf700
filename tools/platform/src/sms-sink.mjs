// @ts-check
/**
 * The Herald SMS sink (tools/sms-sink) as a detached process with a pid file and a log under
 * .local/sms-sink/. See tools/sms-sink/src/server.mjs for its HTTP API.
 */
import path from 'node:path';
import { localPath, repoRoot } from './paths.mjs';
import { httpGet, isPortOpen, runningPidFromFile, spawnDetached, stopPidFile, tailFile, waitFor, withLock } from '@herald/process';

/** @typedef {(line: string) => void} LogFn */

/** Absolute path of the sink's entry point. */
export const SMS_SINK_MAIN = path.join(repoRoot, 'tools', 'sms-sink', 'src', 'main.mjs');

/**
 * @typedef {object} SmsSinkHandle
 * @property {string} url e.g. http://127.0.0.1:9025
 * @property {string} host
 * @property {number} port
 * @property {boolean} startedByUs
 * @property {number | null} pid pid of the sink this tooling started (now or earlier), else null
 * @property {string} logFile
 * @property {() => Promise<void>} stop stops the sink when startedByUs, else does nothing
 */

/**
 * Whether the Herald SMS sink answers on http://host:port.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @returns {Promise<boolean>}
 */
export async function smsSinkAnswers({ port = 9025, host = '127.0.0.1' } = {}) {
  const res = await httpGet(`http://${host}:${port}/healthz`, 1500);
  if (!res || res.status !== 200) return false;
  try {
    return JSON.parse(res.body).service === 'herald-sms-sink';
  } catch {
    return false;
  }
}

/**
 * Start the SMS sink (or reuse the one already answering on the port).
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @param {number} [options.maxMessages]
 * @param {LogFn} [options.log]
 * @param {number} [options.timeoutMs]
 * @returns {Promise<SmsSinkHandle>}
 */
export async function startSmsSink({ port = 9025, host = '127.0.0.1', maxMessages, log = console.log, timeoutMs = 15_000 } = {}) {
  const lock = path.join(localPath('sms-sink'), `sms-sink-${port}.lock`);
  return withLock(lock, () => startLocked({ port, host, maxMessages, log, timeoutMs }), { log: (l) => log(`sms-sink: ${l}`) });
}

/**
 * @param {{ port: number, host: string, maxMessages: number | undefined, log: LogFn, timeoutMs: number }} o
 * @returns {Promise<SmsSinkHandle>}
 */
async function startLocked({ port, host, maxMessages, log, timeoutMs }) {
  const dir = localPath('sms-sink');
  const pidFile = path.join(dir, `sms-sink-${port}.pid`);
  const logFile = path.join(dir, `sms-sink-${port}.log`);
  const base = { url: `http://${host}:${port}`, host, port, logFile };
  const ownPid = runningPidFromFile(pidFile, 'sms-sink');

  if (await smsSinkAnswers({ port, host })) {
    return { ...base, startedByUs: false, pid: ownPid, stop: async () => undefined };
  }
  if (ownPid === null && (await isPortOpen({ host, port }))) {
    throw new Error(`sms-sink: port ${port} on ${host} is taken by something that is not the Herald SMS sink`);
  }
  /** @type {number} */
  let pid;
  /** @type {(() => { code: number | null, signal: NodeJS.Signals | null } | null) | undefined} */
  let exitStatus;
  const startedByUs = ownPid === null;
  if (ownPid !== null) {
    log(`sms-sink: sink started earlier (pid ${ownPid}) is not answering yet; waiting`);
    pid = ownPid;
  } else {
    log(`sms-sink: starting on ${host}:${port}`);
    const args = [SMS_SINK_MAIN, '--port', String(port), '--host', host];
    if (maxMessages !== undefined) args.push('--max-messages', String(maxMessages));
    const child = await spawnDetached({ command: process.execPath, args, cwd: dir, logFile, pidFile });
    pid = child.pid;
    exitStatus = child.exitStatus;
  }
  try {
    await waitFor(`the SMS sink on ${host}:${port}`, () => smsSinkAnswers({ port, host }), {
      intervalMs: 250,
      timeoutMs,
      log: (l) => log(`sms-sink: ${l}`),
      abortIf: () => {
        const s = exitStatus?.();
        return s ? `the sink (pid ${pid}) exited (code ${s.code}, signal ${s.signal})` : null;
      },
    });
  } catch (err) {
    if (startedByUs) await stopPidFile(pidFile, { graceMs: 2000, expect: 'sms-sink' });
    throw new Error(`sms-sink: ${/** @type {Error} */ (err).message}\n--- last lines of ${logFile} ---\n${tailFile(logFile, 20)}`);
  }
  return {
    ...base,
    startedByUs,
    pid,
    stop: async () => {
      if (startedByUs) await stopSmsSink({ port });
    },
  };
}

/**
 * Stop the sink that this tooling started on `port` (found through its pid file).
 * @param {object} [options]
 * @param {number} [options.port]
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopSmsSink({ port = 9025 } = {}) {
  return stopPidFile(path.join(localPath('sms-sink'), `sms-sink-${port}.pid`), { graceMs: 5000, expect: 'sms-sink' });
}
