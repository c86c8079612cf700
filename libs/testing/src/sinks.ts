/**
 * The delivery sinks as real processes (so that a test can stop the SMTP server mid-run), and
 * clients for what they received: MailDev (SMTP + its REST API under /api) and the local SMS sink.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, testConfig } from './config';
import { freePort } from '@herald/process';
import { ManagedProcess } from './process';

export interface ReceivedEmail {
  id: string;
  subject: string;
  to: Array<{ address: string; name: string }>;
  from: Array<{ address: string; name: string }>;
  headers: Record<string, string>;
  text?: string;
  html?: string;
}

export class MaildevClient {
  constructor(readonly webUrl: string) {}

  /** Every email received, oldest first (filters are MailDev's exact-match query parameters). */
  async emails(filter: Record<string, string> = {}): Promise<ReceivedEmail[]> {
    const url = new URL('/api/email', this.webUrl);
    for (const [k, v] of Object.entries(filter)) url.searchParams.set(k, v);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`MailDev answered ${response.status}`);
    return (await response.json()) as ReceivedEmail[];
  }

  byMessageId(messageId: string): Promise<ReceivedEmail[]> {
    return this.emails({ 'headers.message-id': messageId });
  }

  async deleteAll(): Promise<void> {
    await fetch(new URL('/api/email/all', this.webUrl), { method: 'DELETE' });
  }
}

export interface ReceivedSms {
  id: string;
  to: string;
  text: string;
  from: string | null;
  reference: string | null;
  idempotencyKey: string | null;
  receivedAt: string;
}

export interface SmsSinkStats {
  received: number;
  duplicatesSuppressed: number;
  rejected: number;
  failedInjected: number;
}

export class SmsSinkClient {
  constructor(readonly url: string) {}

  async messages(filter: Record<string, string> = {}): Promise<ReceivedSms[]> {
    const url = new URL('/messages', this.url);
    for (const [k, v] of Object.entries(filter)) url.searchParams.set(k, v);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`SMS sink answered ${response.status}`);
    return ((await response.json()) as { messages: ReceivedSms[] }).messages;
  }

  async stats(): Promise<SmsSinkStats> {
    return (await (await fetch(new URL('/stats', this.url))).json()) as SmsSinkStats;
  }

  /** Failure injection: { mode: 'fail', status: 503, count?: n, retryAfter?: s } or { mode: 'ok' }. */
  async control(body: Record<string, unknown>): Promise<void> {
    const response = await fetch(new URL('/control', this.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`SMS sink control answered ${response.status}`);
  }
}

export interface Maildev {
  process: ManagedProcess;
  smtpUrl: string;
  client: MaildevClient;
}

/** A MailDev of the test's own on free ports, with its own spool folder. */
export async function startMaildev(logGroup: string, ports?: { smtp: number; web: number }): Promise<Maildev> {
  const smtp = ports?.smtp ?? (await freePort());
  const web = ports?.web ?? (await freePort());
  const spool = join(repoRoot, testConfig().HERALD_TEST_LOG_DIR, logGroup, `maildev-${smtp}`);
  rmSync(spool, { recursive: true, force: true });
  mkdirSync(spool, { recursive: true });
  const process = new ManagedProcess({
    name: `maildev-${smtp}`,
    // Stored on disk, so that a test can restart the SMTP server and still count what it received.
    args: [join(repoRoot, 'node_modules/maildev/dist/bin/maildev.js'), '--smtp', String(smtp), '--web', String(web), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--max-emails', '0', '--mail-directory', join(spool, 'mail')],
    env: { TMPDIR: spool },
    readyUrl: `http://127.0.0.1:${web}/api/healthz`,
    logGroup,
  });
  await process.start();
  return { process, smtpUrl: `smtp://127.0.0.1:${smtp}`, client: new MaildevClient(`http://127.0.0.1:${web}`) };
}

export interface SmsSink {
  process: ManagedProcess;
  url: string;
  client: SmsSinkClient;
}

export async function startSmsSink(logGroup: string, port?: number): Promise<SmsSink> {
  const p = port ?? (await freePort());
  const process = new ManagedProcess({
    name: `sms-sink-${p}`,
    args: [join(repoRoot, 'tools/sms-sink/src/main.mjs'), '--port', String(p)],
    env: { SMS_SINK_HOST: '127.0.0.1' },
    readyUrl: `http://127.0.0.1:${p}/healthz`,
    logGroup,
  });
  await process.start();
  const url = `http://127.0.0.1:${p}`;
  return { process, url, client: new SmsSinkClient(url) };
}
