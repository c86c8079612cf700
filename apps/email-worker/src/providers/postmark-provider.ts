/**
 * Postmark through its Email API (POST /email) with the official `postmark` client, pointed at
 * POSTMARK_API_URL (https://api.postmarkapp.com or an emulator). Herald's ids travel as Metadata
 * (echoed in every webhook), the stable Message-ID and the unsubscribe headers as Headers, the
 * stream as MessageStream. The provider message id is Postmark's MessageID.
 *
 * In doubt, the Messages API (GET /messages/outbound?metadata_herald_delivery_id=...) says whether
 * Postmark took a message for this delivery.
 *
 * The client takes a custom fetch (its documented way to customise transport): through it each
 * call also honours the send's abort signal, and the network error itself (which the client
 * reduces to a message) reaches the classifier.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ServerClient } from 'postmark';
import type { EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from '@herald/delivery';
import { emailParts, formatMailbox, HERALD_ID_KEYS, type SenderDefaults } from './email-parts';
import { classifyPostmarkError } from './postmark-error';

export interface PostmarkSettings extends SenderDefaults {
  serverToken: string;
  apiUrl: string;
  messageStream: string;
  timeoutMs: number;
}

interface CallContext {
  signal: AbortSignal;
  networkError?: unknown;
}

export type PostmarkMessage = Parameters<ServerClient['sendEmail']>[0];

export class PostmarkProvider implements DeliveryProvider<EmailJob> {
  readonly name = 'postmark';
  readonly idempotent = false;
  private readonly client: ServerClient;
  private readonly calls = new AsyncLocalStorage<CallContext>();

  constructor(private readonly settings: PostmarkSettings) {
    const url = new URL(settings.apiUrl);
    this.client = new ServerClient(settings.serverToken, {
      useHttps: url.protocol === 'https:',
      requestHost: url.host + url.pathname.replace(/\/$/, ''),
      timeout: Math.max(1, Math.ceil(settings.timeoutMs / 1_000)),
      fetch: (input, init) => this.fetch(input, init),
    });
  }

  private async fetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
    const context = this.calls.getStore();
    const signals = [init?.signal, context?.signal].filter((s): s is AbortSignal => Boolean(s));
    try {
      return await fetch(input, { ...init, ...(signals.length ? { signal: AbortSignal.any(signals) } : {}) });
    } catch (error) {
      if (context) context.networkError = error;
      throw error;
    }
  }

  private async call<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const context: CallContext = { signal };
    try {
      return await this.calls.run(context, run);
    } catch (error) {
      throw classifyPostmarkError(error, context.networkError);
    }
  }

  /** The Email API body for a job (exported for tests). */
  message(job: EmailJob): PostmarkMessage {
    const parts = emailParts(job, this.settings);
    const { content } = job;
    return {
      From: formatMailbox(parts.from),
      To: job.to,
      Subject: content.subject,
      ...(content.text ? { TextBody: content.text } : {}),
      ...(content.html ? { HtmlBody: content.html } : {}),
      ...(parts.replyTo ? { ReplyTo: parts.replyTo } : {}),
      Headers: [{ Name: 'Message-ID', Value: parts.messageIdHeader }, ...Object.entries(parts.headers).map(([Name, Value]) => ({ Name, Value }))],
      Metadata: parts.ids,
      MessageStream: this.settings.messageStream,
    };
  }

  async send(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    const result = await this.call(signal, () => this.client.sendEmail(this.message(job)));
    if (!result.MessageID) throw new ProviderError('Postmark answered without a MessageID', { code: 'POSTMARK_NO_MESSAGE_ID', permanent: false, outcomeUnknown: true });
    return { providerMessageId: result.MessageID };
  }

  /** Asks the Messages API whether Postmark took a message with this delivery's id in its metadata. */
  async lookup(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt | null> {
    const found = await this.call(signal, () =>
      this.client.getOutboundMessages({ count: 1, offset: 0, messageStream: this.settings.messageStream, [`metadata_${HERALD_ID_KEYS.deliveryId}`]: job.deliveryId }),
    );
    const first = found.Messages?.[0];
    return first?.MessageID ? { providerMessageId: first.MessageID } : null;
  }

  async close(): Promise<void> {
    // The client keeps no connection of its own (global fetch).
  }
}
