// @ts-check
/**
 * MailDev 3 (npm `maildev`) as the email sink: SMTP on 127.0.0.1:1025, its web UI and REST API
 * (under /api: GET /api/email, /api/email/:id/source, DELETE /api/email/all...) on 1080. Emails
 * are kept in memory (at most 50,000); MailDev also writes an .eml file per email under its
 * TMPDIR, pointed at .local/maildev/tmp-1025 (emptied at every start).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpGet, isPortOpen } from '@herald/process';
import { daemonService } from './daemon.mjs';

const smtpPort = 1025;
const webPort = 1080;
const web = `http://127.0.0.1:${webPort}`;
export const maildev = daemonService({
  name: 'maildev',
  port: smtpPort,
  scheme: 'smtp',
  match: 'maildev',
  /** @returns {Promise<{ version: string } | null>} */
  answers: async () => {
    if (!(await isPortOpen({ port: smtpPort })) || (await httpGet(`${web}/api/healthz`, 1500))?.body.trim() !== 'true') return null;
    const config = await httpGet(`${web}/api/config`, 1500);
    try {
      return { version: String(JSON.parse(config?.body ?? '{}').version ?? '?') };
    } catch {
      return { version: '?' };
    }
  },
  conflict: async () => {
    const taken = (await isPortOpen({ port: smtpPort })) ? `SMTP port ${smtpPort}` : (await isPortOpen({ port: webPort })) ? `web port ${webPort}` : null;
    return taken && `${taken} on 127.0.0.1 is taken by something that is not MailDev 3 (expected the SMTP port open and GET /api/healthz answering true on the web port)`;
  },
  command: async (log, dir) => {
    const tmp = path.join(dir, `tmp-${smtpPort}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    log(`maildev: starting MailDev (SMTP 127.0.0.1:${smtpPort}, web 127.0.0.1:${webPort})`);
    const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('maildev'))), 'bin', 'maildev.js');
    const args = [cli, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--max-emails', '50000'];
    return { command: process.execPath, args, cwd: dir, env: { ...process.env, TMPDIR: tmp, NODE_ENV: 'production' } };
  },
  timeoutMs: 30_000,
  graceMs: 5_000,
  describe: ({ version }) => `web ${web} (API ${web}/api), MailDev ${version}`,
});
