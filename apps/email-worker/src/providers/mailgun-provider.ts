/**
 * Mailgun through its Messages API (POST /v3/{domain}/messages) with the official mailgun.js,
 * pointed at MAILGUN_API_URL (https://api.mailgun.net, https://api.eu.mailgun.net, or an
 * emulator). Herald's ids travel as user variables (v:herald_message_id, v:herald_delivery_id),
 * echoed in every webhook's user-variables; the stable Message-ID is set with h:Message-Id, and
 * the unsubscribe headers with h:List-Unsubscribe / h:List-Unsubscribe-Post.
 *
 * In doubt, the Events API (GET /v3/{domain}/events?message-id=...) says whether Mailgun accepted
 * a message with that Message-ID. That lookup uses fetch: the SDK's events.get is deprecated and
 * warns on the console at every call, and it cannot be aborted.
 */
import Mailgun from 'mailgun.js';
import type { MailgunMessageData } from 'mailgun.js/definitions';
import type { EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from '@herald/delivery';
import { emailParts, formatMailbox, type SenderDefaults } from './email-parts';
import { abortable, classifyNetworkError } from './http-failure';
import { classifyMailgunError } from './mailgun-error';

export interface MailgunSettings extends SenderDefaults {
  apiKey: string;
  domain: string;
  apiUrl: string;
  timeoutMs: number;
}

type MailgunClient = ReturnType<Mailgun['client']>;

export class MailgunProvider implements DeliveryProvider<EmailJob> {
  readonly name = 'mailgun';
  readonly idempotent = false;
  private readonly client: MailgunClient;

  constructor(private readonly settings: MailgunSettings) {
    this.client = new Mailgun(FormData).client({ username: 'api', key: settings.apiKey, url: settings.apiUrl, timeout: settings.timeoutMs });
  }

  /** The Messages API form for a job (exported for tests). */
  form(job: EmailJob): Record<string, string | string[]> {
    const parts = emailParts(job, this.settings);
    const { content } = job;
    const form: Record<string, string | string[]> = {
      from: formatMailbox(parts.from),
      to: [job.to],
      subject: content.subject,
      ...(content.text ? { text: content.text } : {}),
      ...(content.html ? { html: content.html } : {}),
      'h:Message-Id': parts.messageIdHeader,
      ...(parts.replyTo ? { 'h:Reply-To': parts.replyTo } : {}),
    };
    for (const [name, value] of Object.entries(parts.headers)) form[`h:${name}`] = value;
    for (const [name, value] of Object.entries(parts.ids)) form[`v:${name}`] = value;
    return form;
  }

  async send(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    let result;
    try {
      // EmailContent guarantees text or html, which MailgunMessageData's type demands.
      result = await abortable(this.client.messages.create(this.settings.domain, this.form(job) as MailgunMessageData), signal, 'Mailgun');
    } catch (error) {
      throw error instanceof ProviderError ? error : classifyMailgunError(error);
    }
    if (!result.id) throw new ProviderError(`Mailgun answered ${result.status} without an id`, { code: 'MAILGUN_NO_ID', permanent: false, outcomeUnknown: true });
    return { providerMessageId: result.id };
  }

  /** Asks the Events API whether Mailgun accepted a message with this delivery's Message-ID. */
  async lookup(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt | null> {
    const messageId = emailParts(job, this.settings).messageIdHeader;
    const url = new URL(`/v3/${encodeURIComponent(this.settings.domain)}/events`, this.settings.apiUrl);
    url.searchParams.set('message-id', messageId.slice(1, -1));
    url.searchParams.set('limit', '1');
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`api:${this.settings.apiKey}`).toString('base64')}` }, signal });
    } catch (error) {
      throw classifyNetworkError(error, 'mailgun');
    }
    if (!response.ok) throw new ProviderError(`Mailgun events lookup answered ${response.status}`, { code: `MAILGUN_LOOKUP_${response.status}`, permanent: false });
    const body = (await response.json()) as { items?: unknown[] };
    return Array.isArray(body.items) && body.items.length > 0 ? { providerMessageId: messageId } : null;
  }

  async close(): Promise<void> {
    // mailgun.js keeps no connection of its own.
  }
}
