/**
 * SendGrid through the v3 Mail Send API (POST /v3/mail/send) with the official @sendgrid/client.
 * The client module is a process-wide singleton, so nothing is set on it: the base URL
 * (SENDGRID_API_URL) and the API key travel with each request, and two providers with other keys
 * can live in one process.
 *
 * Herald's ids travel as custom_args (SendGrid echoes them in every event-webhook event); the
 * stable Message-ID and the one-click unsubscribe headers go in `headers` (neither is among
 * SendGrid's reserved headers). The provider message id is the X-Message-Id answer header, which
 * starts every event's sg_message_id.
 */
import sendgrid from '@sendgrid/client';
import type { EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from '@herald/delivery';
import { emailParts, type SenderDefaults } from './email-parts';
import { abortable } from './http-failure';
import { classifySendGridError } from './sendgrid-error';

export interface SendGridSettings extends SenderDefaults {
  apiKey: string;
  /** https://api.sendgrid.com (https://api.eu.sendgrid.com for EU data residency), or an emulator. */
  apiUrl: string;
}

export interface SendGridMail {
  personalizations: Array<{ to: Array<{ email: string }>; custom_args: Record<string, string> }>;
  from: { email: string; name?: string };
  reply_to?: { email: string };
  subject: string;
  content: Array<{ type: 'text/plain' | 'text/html'; value: string }>;
  headers: Record<string, string>;
  custom_args: Record<string, string>;
}

export class SendGridProvider implements DeliveryProvider<EmailJob> {
  readonly name = 'sendgrid';
  readonly idempotent = false;

  constructor(private readonly settings: SendGridSettings) {}

  /** The v3 mail/send body for a job (exported for tests). */
  body(job: EmailJob): SendGridMail {
    const parts = emailParts(job, this.settings);
    const { content } = job;
    return {
      personalizations: [{ to: [{ email: job.to }], custom_args: parts.ids }],
      from: { email: parts.from.address, ...(parts.from.name ? { name: parts.from.name } : {}) },
      ...(parts.replyTo ? { reply_to: { email: parts.replyTo } } : {}),
      subject: content.subject,
      // SendGrid requires text/plain first when both are given.
      content: [...(content.text ? [{ type: 'text/plain' as const, value: content.text }] : []), ...(content.html ? [{ type: 'text/html' as const, value: content.html }] : [])],
      headers: { 'Message-ID': parts.messageIdHeader, ...parts.headers },
      custom_args: parts.ids,
    };
  }

  async send(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    const request = sendgrid.request({
      method: 'POST',
      url: '/v3/mail/send',
      baseUrl: this.settings.apiUrl,
      headers: { Authorization: `Bearer ${this.settings.apiKey}` },
      body: this.body(job),
    });
    let response;
    try {
      [response] = await abortable(request, signal, 'SendGrid');
    } catch (error) {
      throw error instanceof ProviderError ? error : classifySendGridError(error);
    }
    const headers = response.headers as Record<string, unknown>;
    const id = headers['x-message-id'];
    if (response.statusCode !== 202 || typeof id !== 'string' || !id) {
      throw new ProviderError(`SendGrid answered ${response.statusCode} without X-Message-Id`, { code: 'SENDGRID_NO_MESSAGE_ID', permanent: false, outcomeUnknown: true });
    }
    return { providerMessageId: id };
  }

  async close(): Promise<void> {
    // No connection of its own to close (axios' agent is shared by the process).
  }
}
