/**
 * The SMTP provider: nodemailer over a pool of SMTP connections (SMTP_URL). Every email carries
 * a stable Message-ID derived from the delivery id, so that a receiver, or Herald itself, can
 * recognise the same delivery, the job's sender and Reply-To, and the one-click unsubscribe
 * headers when the client gave an unsubscribe URL. Optionally (EMAIL_LOOKUP_URL) it can ask a MailDev-compatible
 * mailbox API whether a message with that Message-ID arrived: used only when a previous send's
 * outcome is unknown, before sending again.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { emailMessageId, type EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from '@herald/delivery';
import { emailParts, type SenderDefaults } from './email-parts';
import { classifySmtpError } from './smtp-error';

export interface SmtpSettings extends SenderDefaults {
  url: string;
  poolSize: number;
  /** Milliseconds allowed for a socket to connect, for the greeting, and of socket inactivity. */
  timeoutMs: number;
  lookupUrl?: string;
}

export function smtpTransportOptions(settings: SmtpSettings): SMTPPool.Options {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  return {
    pool: true,
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 25)),
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    maxConnections: settings.poolSize,
    maxMessages: 1_000,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    // Requires STARTTLS when the URL says so (?requireTLS=true); opportunistic otherwise.
    requireTLS: url.searchParams.get('requireTLS') === 'true',
    tls: { rejectUnauthorized: url.searchParams.get('rejectUnauthorized') !== 'false' },
  };
}

/**
 * As many sends handed to nodemailer as it has pooled connections, the others wait here. A send
 * queued inside nodemailer's pool cannot be taken back: abandoned at its timeout, it would still go
 * out once a connection frees up, after the ledger was told its outcome is unknown (and a retry
 * may send it again). A send that times out while waiting here was never handed over: it is
 * definitely not sent. (No maintained in-process semaphore offers per-waiter AbortSignal removal
 * for CommonJS; this is the part of one that the provider needs.)
 */
class SendSlots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw notHandedOver();
    if (this.busy < this.size) {
      this.busy += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const take = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(notHandedOver());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy -= 1;
  }
}

function notHandedOver(): ProviderError {
  return new ProviderError('SMTP send not started: every pooled connection stayed busy until the timeout or shutdown', { code: 'ETIMEDOUT', permanent: false, outcomeUnknown: false });
}

export class SmtpProvider implements DeliveryProvider<EmailJob> {
  readonly name = 'smtp';
  readonly idempotent = false;
  readonly lookup: ((job: EmailJob, signal: AbortSignal) => Promise<ProviderReceipt | null>) | undefined;
  private readonly transporter: Transporter;
  private readonly slots: SendSlots;

  constructor(private readonly settings: SmtpSettings) {
    this.transporter = createTransport(smtpTransportOptions(settings));
    this.slots = new SendSlots(settings.poolSize);
    this.lookup = settings.lookupUrl ? (job, signal) => this.lookupInMailbox(job, signal) : undefined;
  }

  async send(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    await this.slots.acquire(signal);
    try {
      // A slot that came free in the same tick as this send's timeout: still not handed over.
      if (signal.aborted) throw notHandedOver();
      return await this.handOver(job, signal);
    } finally {
      this.slots.release();
    }
  }

  private async handOver(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    const parts = emailParts(job, this.settings);
    const messageId = parts.messageIdHeader;
    const sending = this.transporter.sendMail({
      from: { name: parts.from.name ?? '', address: parts.from.address },
      to: job.to,
      ...(parts.replyTo ? { replyTo: parts.replyTo } : {}),
      subject: job.content.subject,
      ...(job.content.text ? { text: job.content.text } : {}),
      ...(job.content.html ? { html: job.content.html } : {}),
      messageId,
      headers: parts.headers,
    });
    // Remove the abort listener once the send settles: a timeout signal with a listener stays
    // alive (and fires) until its time runs out, once per email otherwise.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new ProviderError('SMTP send abandoned (timeout or shutdown)', { code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true }));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const info = (await Promise.race([sending, aborted])) as { messageId?: string };
      return { providerMessageId: info.messageId ?? messageId };
    } catch (error) {
      sending.catch(() => undefined);
      throw error instanceof ProviderError ? error : classifySmtpError(error);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private async lookupInMailbox(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt | null> {
    const messageId = emailMessageId(job.deliveryId, this.settings.messageIdDomain);
    const url = new URL('/api/email', this.settings.lookupUrl);
    url.searchParams.set('headers.message-id', messageId);
    url.searchParams.set('limit', '1');
    const response = await fetch(url, { signal });
    if (!response.ok) throw new ProviderError(`mailbox lookup answered ${response.status}`, { code: `LOOKUP_${response.status}`, permanent: false });
    const found = (await response.json()) as unknown[];
    return Array.isArray(found) && found.length > 0 ? { providerMessageId: messageId } : null;
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
