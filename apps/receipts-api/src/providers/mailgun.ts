/**
 * Mailgun's webhooks: POST /providers/mailgun/events with JSON {signature: {timestamp, token,
 * signature}, "event-data": {...}}, verified as Mailgun documents: signature =
 * HMAC-SHA256(webhook signing key, timestamp + token) in hex, compared in constant time, and the
 * timestamp must be within the freshness window. Mailgun's signature does not cover the body, so
 * each token is remembered (per process, for the window) with a digest of the body it came with:
 * the same token with another body (a captured signature reused on a forged event) is refused,
 * while the same webhook again (Mailgun's retry of one whose first attempt failed after
 * verification, e.g. on a Kafka error) is taken, and yields the same receipt id, stored once.
 *
 * Events: delivered; failed with severity permanent (a hard bounce, or suppress-* when Mailgun did
 * not send to a suppressed address) or temporary (Mailgun retries: deferred); rejected;
 * complained; unsubscribed. accepted, opened, clicked and stored are verified and ignored.
 * Herald's ids come back as user-variables; the provider message id is the Message-Id Mailgun
 * answered the send with (<...>).
 */
import { createHash, createHmac } from 'node:crypto';
import { digestId, EMAIL_REPORTS, heraldIds, isoTime, jsonBody, receipt, refused, sameSecret, type EmailReport } from './email-receipts';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';

export interface MailgunReceiptSettings {
  signingKey: string;
  /** Oldest signed timestamp taken, in seconds. */
  maxAgeSec: number;
  now?: () => number;
}

interface MailgunEventData {
  id?: string;
  event?: string;
  severity?: string;
  reason?: string;
  timestamp?: number;
  recipient?: string;
  message?: { headers?: { 'message-id'?: string } };
  'user-variables'?: Record<string, unknown>;
}

function report(data: MailgunEventData): EmailReport | undefined {
  switch (data.event) {
    case 'delivered':
      return EMAIL_REPORTS.delivered;
    case 'failed':
      if (data.severity === 'temporary') return EMAIL_REPORTS.deferred;
      return (data.reason ?? '').startsWith('suppress-') ? EMAIL_REPORTS.suppressed : EMAIL_REPORTS.hardBounce;
    case 'rejected':
      return EMAIL_REPORTS.rejected;
    case 'complained':
      return EMAIL_REPORTS.complaint;
    case 'unsubscribed':
      return EMAIL_REPORTS.unsubscribed;
    default:
      return undefined;
  }
}

/** Most tokens remembered (the oldest are forgotten first). */
const MAX_TOKENS = 200_000;

export class MailgunReceiptSource implements ReceiptSource {
  readonly provider = 'mailgun';
  readonly channel = 'email' as const;
  private readonly now: () => number;
  /** token -> [body digest, when it was first seen (ms)], oldest first. */
  private readonly tokens = new Map<string, [string, number]>();

  constructor(private readonly settings: MailgunReceiptSettings) {
    this.now = settings.now ?? Date.now;
  }

  async handle(request: ReceiptRequest, _signal: AbortSignal): Promise<ReceiptOutcome> {
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return refused(415, 'Mailgun webhooks are JSON');
    const body = jsonBody(request.rawBody) as { signature?: { timestamp?: unknown; token?: unknown; signature?: unknown }; 'event-data'?: MailgunEventData } | undefined;
    const sig = body?.signature;
    if (!sig || typeof sig.timestamp !== 'string' || typeof sig.token !== 'string' || typeof sig.signature !== 'string') return refused(401, 'no Mailgun signature block');
    const expected = createHmac('sha256', this.settings.signingKey).update(sig.timestamp + sig.token).digest('hex');
    if (!sameSecret(sig.signature.toLowerCase(), expected)) return refused(403, 'Mailgun signature does not verify');
    const now = this.now();
    if (!/^\d{1,12}$/.test(sig.timestamp) || Math.abs(now / 1_000 - Number(sig.timestamp)) > this.settings.maxAgeSec) return refused(403, `signed timestamp outside the ${this.settings.maxAgeSec} s window`);
    if (!this.remember(sig.token, createHash('sha256').update(request.rawBody).digest('hex'), now)) return refused(403, 'Mailgun token reused with another body');
    const data = body?.['event-data'];
    if (!data || typeof data !== 'object') return refused(400, 'no event-data');
    const r = report(data);
    const messageId = data.message?.headers?.['message-id'];
    if (!r || !messageId) return { kind: 'accepted', receipts: [] };
    return {
      kind: 'accepted',
      receipts: [
        receipt(
          {
            receiptId: data.id ? `mailgun:${data.id}` : digestId('mailgun', messageId, data.event, data.timestamp, data.recipient),
            provider: this.provider,
            providerMessageId: messageId.startsWith('<') ? messageId : `<${messageId}>`,
            ...(data.recipient ? { recipient: data.recipient } : {}),
            at: isoTime(data.timestamp, 'seconds'),
            ids: heraldIds(data['user-variables']),
          },
          r,
        ),
      ],
    };
  }

  /** Records a token with its body digest; false when the token came before with another body. */
  private remember(token: string, digest: string, now: number): boolean {
    const horizon = now - this.settings.maxAgeSec * 1_000;
    for (const [old, [, at]] of this.tokens) {
      if (at >= horizon && this.tokens.size < MAX_TOKENS) break;
      this.tokens.delete(old);
    }
    const seen = this.tokens.get(token);
    if (seen) return seen[0] === digest;
    this.tokens.set(token, [digest, now]);
    return true;
  }
}
