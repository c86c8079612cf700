/**
 * SendGrid's signed Event Webhook: POST /providers/sendgrid/events with a JSON array of events,
 * signed with ECDSA over timestamp + body (X-Twilio-Email-Event-Webhook-Signature, base64, and
 * X-Twilio-Email-Event-Webhook-Timestamp), verified with the official @sendgrid/eventwebhook
 * against the verification key from SendGrid's Mail Settings (SENDGRID_WEBHOOK_PUBLIC_KEY). A
 * timestamp older than the freshness window is refused too.
 *
 * Events: delivered; bounce (type bounce: hard, type blocked: soft); dropped (SendGrid did not send:
 * a suppressed address, or invalid); deferred; spamreport; unsubscribe and group_unsubscribe.
 * processed, open, click and group_resubscribe are verified and ignored. Herald's ids come back as
 * custom args at the top of each event; the provider message id is the X-Message-Id the send got,
 * which begins sg_message_id.
 */
import { EventWebhook } from '@sendgrid/eventwebhook';
import type { ReceiptFields } from '@herald/contracts';
import { EMAIL_REPORTS, heraldIds, isoTime, jsonBody, receipt, refused, type EmailReport } from './email-receipts';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';

export interface SendGridReceiptSettings {
  /** The verification key as SendGrid shows it (base64 DER), or a PEM. */
  publicKey: string;
  /** Oldest signed timestamp taken, in seconds. */
  maxAgeSec: number;
  now?: () => number;
}

interface SendGridEvent {
  event?: string;
  email?: string;
  timestamp?: number;
  sg_event_id?: string;
  sg_message_id?: string;
  type?: string;
  reason?: string;
}

function report(event: SendGridEvent): EmailReport | undefined {
  switch (event.event) {
    case 'delivered':
      return EMAIL_REPORTS.delivered;
    case 'bounce':
      return event.type === 'blocked' ? EMAIL_REPORTS.softBounce : EMAIL_REPORTS.hardBounce;
    case 'dropped':
      return /bounced|unsubscribed|spam reporting|invalid/i.test(event.reason ?? '') ? EMAIL_REPORTS.suppressed : EMAIL_REPORTS.rejected;
    case 'deferred':
      return EMAIL_REPORTS.deferred;
    case 'spamreport':
      return EMAIL_REPORTS.complaint;
    case 'unsubscribe':
    case 'group_unsubscribe':
      return EMAIL_REPORTS.unsubscribed;
    default:
      return undefined;
  }
}

export class SendGridReceiptSource implements ReceiptSource {
  readonly provider = 'sendgrid';
  readonly channel = 'email' as const;
  private readonly webhook = new EventWebhook();
  private readonly key: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;
  private readonly now: () => number;

  constructor(private readonly settings: SendGridReceiptSettings) {
    this.key = this.webhook.convertPublicKeyToECDSA(settings.publicKey);
    this.now = settings.now ?? Date.now;
  }

  async handle(request: ReceiptRequest, _signal: AbortSignal): Promise<ReceiptOutcome> {
    const signature = request.headers['x-twilio-email-event-webhook-signature'];
    const timestamp = request.headers['x-twilio-email-event-webhook-timestamp'];
    if (!signature || !timestamp) return refused(401, 'no SendGrid signature headers');
    if (!/^\d{1,12}$/.test(timestamp)) return refused(403, 'malformed signature timestamp');
    let valid = false;
    try {
      valid = this.webhook.verifySignature(this.key, request.rawBody, signature, timestamp);
    } catch {
      valid = false; // a signature that is not even DER
    }
    if (!valid) return refused(403, 'SendGrid signature does not verify');
    if (Math.abs(this.now() / 1_000 - Number(timestamp)) > this.settings.maxAgeSec) return refused(403, `signed timestamp outside the ${this.settings.maxAgeSec} s window`);
    const events = jsonBody(request.rawBody);
    if (!Array.isArray(events)) return refused(400, 'body is not a JSON array of events');
    const receipts: ReceiptFields[] = [];
    for (const raw of events as SendGridEvent[]) {
      const r = raw && typeof raw === 'object' ? report(raw) : undefined;
      const providerMessageId = raw?.sg_message_id?.split('.')[0];
      if (!r || !providerMessageId) continue;
      receipts.push(
        receipt(
          {
            receiptId: `sendgrid:${raw.sg_event_id ?? `${providerMessageId}:${raw.event}:${raw.timestamp}`}`,
            provider: this.provider,
            providerMessageId,
            ...(raw.email ? { recipient: raw.email } : {}),
            at: isoTime(raw.timestamp, 'seconds'),
            ids: heraldIds(raw),
          },
          r,
        ),
      );
    }
    return { kind: 'accepted', receipts };
  }
}
