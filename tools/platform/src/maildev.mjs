// @ts-check
/**
 * MailDev 3 (npm `maildev`) as the email sink: SMTP on one port, web UI and REST API (under /api)
 * on another, both bound to 127.0.0.1.
 *
 * Runs node_modules/maildev/dist/bin/maildev.js detached, with a pid file and a log under
 * .local/maildev/. Emails are kept in memory (MailDev's default storage); MailDev also writes an
 * .eml file per email under os.tmpdir()/maildev, so we point TMPDIR at
 * .local/maildev/tmp-<smtpPort>/ (emptied at every start) to keep instances apart.
 *
 * REST API (MailDev 3.0.0; all under /api):
 *   GET    /api/email                   every email, full (filters: any field, dot paths, exact match,
 *                                       e.g. ?headers.message-id=<id@host>&to.address=a@b.c; skip, limit, sort=asc|desc)
 *   GET    /api/email/summary           page of summaries ({ items, total, storeTotal, unread, skip, limit })
 *   GET    /api/email/:id               one email (marks it read), 404 { error } when unknown
 *   DELETE /api/email/:id               delete one
 *   POST   /api/email/delete            { ids: [...] } -> { deleted, notFound }
 *   DELETE /api/email/all               delete all -> true
 *   GET    /api/email/:id/source        raw RFC 822 source
 *   GET    /api/healthz                 true
 *   GET    /api/config                  { version, ... }
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localPath } from './paths.mjs';
import { ensureDaemon, httpGet, isPortOpen, runningPidFromFile, stopPidFile } from '@herald/process';

/** @typedef {(line: string) => void} LogFn */

/**
 * @typedef {object} MaildevHandle
 * @property {string} smtpUrl e.g. smtp://127.0.0.1:1025
 * @property {string} webUrl e.g. http://127.0.0.1:1080 (web UI; REST API under `${webUrl}/api`)
 * @property {string} apiUrl e.g. http://127.0.0.1:1080/api
 * @property {string} host
 * @property {number} smtpPort
 * @property {number} webPort
 * @property {boolean} startedByUs
 * @property {number | null} pid pid of the MailDev this tooling started (now or earlier), else null
 * @property {string | null} version MailDev version from /api/config
 * @property {string} logFile
 * @property {() => Promise<void>} stop stops MailDev when startedByUs, else does nothing
 */

/** Absolute path of MailDev's CLI script. */
export function maildevCli() {
  const entry = fileURLToPath(import.meta.resolve('maildev')); // .../maildev/dist/index.js
  return path.join(path.dirname(entry), 'bin', 'maildev.js');
}

/**
 * The MailDev 3 answering on http://host:webPort, or null.
 * @param {object} options
 * @param {number} [options.webPort]
 * @param {string} [options.host]
 * @returns {Promise<{ version: string | null } | null>}
 */
export async function maildevAnswers({ webPort = 1080, host = '127.0.0.1' } = {}) {
  const health = await httpGet(`http://${host}:${webPort}/api/healthz`, 1500);
  if (!health || health.status !== 200 || health.body.trim() !== 'true') return null;
  const config = await httpGet(`http://${host}:${webPort}/api/config`, 1500);
  try {
    const parsed = config ? JSON.parse(config.body) : null;
    return { version: typeof parsed?.version === 'string' ? parsed.version : null };
  } catch {
    return { version: null };
  }
}

/** @param {number} smtpPort */
const maildevPidFile = (smtpPort) => path.join(localPath('maildev'), `maildev-${smtpPort}.pid`);

/**
 * The pid of the MailDev this tooling started for `smtpPort`, while it runs; else null.
 * @param {number} [smtpPort]
 */
export const runningMaildevPid = (smtpPort = 1025) => runningPidFromFile(maildevPidFile(smtpPort), 'maildev');

/**
 * Start MailDev (or reuse the one already answering on these ports).
 * @param {object} [options]
 * @param {number} [options.smtpPort]
 * @param {number} [options.webPort]
 * @param {string} [options.ip] bind address for both SMTP and web
 * @param {number} [options.maxEmails] keep at most this many emails, oldest dropped (default 50000; 0 = unlimited)
 * @param {LogFn} [options.log]
 * @param {number} [options.timeoutMs]
 * @returns {Promise<MaildevHandle>}
 */
export async function startMaildev({ smtpPort = 1025, webPort = 1080, ip = '127.0.0.1', maxEmails = 50_000, log = console.log, timeoutMs = 30_000 } = {}) {
  const dir = localPath('maildev');
  const logFile = path.join(dir, `maildev-${smtpPort}.log`);
  const { pid, startedByUs, found } = await ensureDaemon({
    name: 'maildev',
    pidFile: maildevPidFile(smtpPort),
    logFile,
    lockFile: path.join(dir, `maildev-${smtpPort}.lock`),
    match: 'maildev',
    answers: async () => ((await isPortOpen({ host: ip, port: smtpPort })) ? maildevAnswers({ webPort, host: ip }) : null),
    conflict: async () => {
      const taken = (await isPortOpen({ host: ip, port: smtpPort })) ? `SMTP port ${smtpPort}` : (await isPortOpen({ host: ip, port: webPort })) ? `web port ${webPort}` : null;
      return taken && `${taken} on ${ip} is taken by something that is not MailDev 3 (expected the SMTP port open and GET /api/healthz answering true on the web port)`;
    },
    command: async () => {
      const tmp = path.join(dir, `tmp-${smtpPort}`);
      rmSync(tmp, { recursive: true, force: true });
      localPath('maildev', `tmp-${smtpPort}`);
      log(`maildev: starting MailDev (SMTP ${ip}:${smtpPort}, web ${ip}:${webPort})`);
      const args = [maildevCli(), '--smtp', String(smtpPort), '--web', String(webPort), '--ip', ip, '--web-ip', ip, '--max-emails', String(maxEmails)];
      return { command: process.execPath, args, cwd: dir, env: { ...process.env, TMPDIR: tmp, NODE_ENV: 'production' } };
    },
    timeoutMs,
    log,
  });
  return {
    smtpUrl: `smtp://${ip}:${smtpPort}`,
    webUrl: `http://${ip}:${webPort}`,
    apiUrl: `http://${ip}:${webPort}/api`,
    host: ip,
    smtpPort,
    webPort,
    logFile,
    startedByUs,
    pid,
    version: found.version,
    stop: async () => {
      if (startedByUs) await stopMaildev({ smtpPort });
    },
  };
}

/**
 * Stop the MailDev that this tooling started for `smtpPort` (found through its pid file).
 * @param {object} [options]
 * @param {number} [options.smtpPort]
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopMaildev({ smtpPort = 1025 } = {}) {
  return stopPidFile(maildevPidFile(smtpPort), { graceMs: 5000, expect: 'maildev' });
}
