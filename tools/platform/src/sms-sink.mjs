// @ts-check
/**
 * The Herald SMS sink (tools/sms-sink) as a detached process with a pid file and a log under
 * .local/sms-sink/. See tools/sms-sink/src/server.mjs for its HTTP API.
 */
import path from 'node:path';
import { localPath, repoRoot } from './paths.mjs';
import { ensureDaemon, httpGet, isPortOpen, runningPidFromFile, stopPidFile } from '@herald/process';

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

/** @param {number} port */
const smsSinkPidFile = (port) => path.join(localPath('sms-sink'), `sms-sink-${port}.pid`);

/**
 * The pid of the sink this tooling started on `port`, while it runs; else null.
 * @param {number} [port]
 */
export const runningSmsSinkPid = (port = 9025) => runningPidFromFile(smsSinkPidFile(port), 'sms-sink');

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
  const dir = localPath('sms-sink');
  const logFile = path.join(dir, `sms-sink-${port}.log`);
  const pidFile = smsSinkPidFile(port);
  const { pid, startedByUs } = await ensureDaemon({
    name: 'sms-sink',
    pidFile,
    logFile,
    lockFile: path.join(dir, `sms-sink-${port}.lock`),
    match: 'sms-sink',
    answers: () => smsSinkAnswers({ port, host }),
    conflict: async () => ((await isPortOpen({ host, port })) ? `port ${port} on ${host} is taken by something that is not the Herald SMS sink` : null),
    command: async () => {
      log(`sms-sink: starting on ${host}:${port}`);
      const args = [SMS_SINK_MAIN, '--port', String(port), '--host', host, ...(maxMessages === undefined ? [] : ['--max-messages', String(maxMessages)])];
      return { command: process.execPath, args, cwd: dir };
    },
    timeoutMs,
    log,
  });
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    logFile,
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
  return stopPidFile(smsSinkPidFile(port), { graceMs: 5000, expect: 'sms-sink' });
}
