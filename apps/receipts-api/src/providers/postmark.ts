/**
 * Postmark's webhooks: POST /providers/postmark/events with one JSON record. Postmark signs
 * nothing; it sends the basic-auth credentials written in the webhook URL
 * (https://user:pass@<RECEIPTS_PUBLIC_URL host>/providers/postmark/events), which are compared
 * with POSTMARK_WEBHOOK_USERNAME / POSTMARK_WEBHOOK_PASSWORD in constant time.
 *
 * Records: Delivery; Bounce (HardBounce, BadEmailAddress: hard; SoftBounce, DnsError: soft;
 * Transient: deferred; Blocked: blocked by the ISP; SpamComplaint: complaint; Unsubscribe: opted
 * out; others by Postmark's own Inactive flag); SpamComplaint; SubscriptionChange that suppresses
 * (HardBounce, SpamComplaint, ManualSuppression). Open and Click are verified and ignored.
 * Herald's ids come back as Metadata; the provider message id is Postmark's MessageID.
 */
import { digestId, EMAIL_REPORTS, heraldIds, isoTime, jsonBody, receipt, refused, sameSecret, type EmailReport } from './email-receipts';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';

export interface PostmarkReceiptSettings {
  username: string;
  password: string;
}

interface PostmarkRecord {
  RecordType?: string;
  ID?: number;
  Type?: string;
  MessageID?: string;
  Recipient?: string;
  Email?: string;
  DeliveredAt?: string;
  BouncedAt?: string;
  ChangedAt?: string;
  Inactive?: boolean;
  SuppressSending?: boolean;
  SuppressionReason?: string;
  Metadata?: Record<string, unknown>;
}

function bounceReport(record: PostmarkRecord): EmailReport | undefined {
  switch (record.Type) {
    case 'HardBounce':
    case 'BadEmailAddress':
      return EMAIL_REPORTS.hardBounce;
    case 'SoftBounce':
    case 'DnsError':
      return EMAIL_REPORTS.softBounce;
    case 'Transient':
      return EMAIL_REPORTS.deferred;
    case 'Blocked':
      return EMAIL_REPORTS.blocked;
    case 'SpamComplaint':
      return EMAIL_REPORTS.complaint;
    case 'Unsubscribe':
      return EMAIL_REPORTS.unsubscribed;
    case 'AutoResponder':
    case 'AddressChange':
    case 'Subscribe':
    case 'OpenRelayTest':
    case 'ChallengeVerification':
      return undefined;
    default:
      return record.Inactive ? EMAIL_REPORTS.hardBounce : EMAIL_REPORTS.undeterminedBounce;
  }
}

function report(record: PostmarkRecord): EmailReport | undefined {
  switch (record.RecordType) {
    case 'Delivery':
      return EMAIL_REPORTS.delivered;
    case 'Bounce':
      return bounceReport(record);
    case 'SpamComplaint':
      return EMAIL_REPORTS.complaint;
    case 'SubscriptionChange':
      if (!record.SuppressSending) return undefined;
      return record.SuppressionReason === 'HardBounce' ? EMAIL_REPORTS.hardBounce : record.SuppressionReason === 'SpamComplaint' ? EMAIL_REPORTS.complaint : EMAIL_REPORTS.unsubscribed;
    default:
      return undefined;
  }
}

export class PostmarkReceiptSource implements ReceiptSource {
  readonly provider = 'postmark';
  readonly channel = 'email' as const;
  private readonly expected: string;

  constructor(settings: PostmarkReceiptSettings) {
    this.expected = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  }

  async handle(request: ReceiptRequest, _signal: AbortSignal): Promise<ReceiptOutcome> {
    const auth = request.headers['authorization'];
    if (!auth) return refused(401, 'no basic auth');
    if (!sameSecret(auth, this.expected)) return refused(403, 'wrong basic-auth credentials');
    const record = jsonBody(request.rawBody) as PostmarkRecord | undefined;
    if (!record || typeof record !== 'object' || Array.isArray(record)) return refused(400, 'body is not a JSON record');
    const r = report(record);
    if (!r || !record.MessageID) return { kind: 'accepted', receipts: [] };
    const recipient = record.Recipient ?? record.Email;
    const when = record.DeliveredAt ?? record.BouncedAt ?? record.ChangedAt;
    const receiptId =
      record.ID !== undefined && (record.RecordType === 'Bounce' || record.RecordType === 'SpamComplaint')
        ? `postmark:${record.RecordType}:${record.ID}`
        : digestId('postmark', record.RecordType, record.MessageID, recipient, when, record.SuppressionReason);
    return {
      kind: 'accepted',
      receipts: [receipt({ receiptId, provider: this.provider, providerMessageId: record.MessageID, ...(recipient ? { recipient } : {}), at: isoTime(when), ids: heraldIds(record.Metadata) }, r)],
    };
  }
}
