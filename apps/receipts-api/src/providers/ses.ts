/**
 * Amazon SES events through SNS: the configuration set named on every email (SES_CONFIGURATION_SET)
 * has an SNS event destination whose topic has an HTTPS subscription to
 * POST /providers/ses/events. Each request is an SNS message, verified by SnsVerifier (topic
 * allow-list, signature version 1 or 2, signing certificate from an SNS host); a
 * SubscriptionConfirmation is confirmed by visiting its SubscribeURL (when SES_SNS_CONFIRM is on
 * and the URL is on an SNS host), an UnsubscribeConfirmation is taken and ignored.
 *
 * Notifications carry the SES event (eventType, or notificationType for an identity's plain
 * notifications): Delivery; Bounce (Permanent: hard, OnAccountSuppressionList/Suppressed: SES did
 * not send; Transient: soft; Undetermined); Complaint (not-spam feedback ignored); Reject;
 * DeliveryDelay; Subscription (unsubscribe all). Send, Open, Click are ignored. Herald's ids come
 * back as message tags; the provider message id is SES' MessageId (mail.messageId). One receipt per
 * recipient named, with the SNS MessageId (stable across SNS' retries) in its id.
 */
import type { ReceiptFields } from '@herald/contracts';
import { EMAIL_REPORTS, heraldIds, isoTime, jsonBody, receipt, refused, type EmailReport } from './email-receipts';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';
import { parseSnsMessage, SnsVerifier, type SnsVerifierSettings } from './sns-message';

export interface SesReceiptSettings extends SnsVerifierSettings {
  /** Visit SubscribeURLs of verified SubscriptionConfirmations. */
  confirmSubscriptions: boolean;
  /** Logs what is not a receipt (a confirmation visited or skipped). */
  log?: (message: string) => void;
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; timestamp?: string; destination?: string[]; tags?: Record<string, unknown> };
  delivery?: { timestamp?: string; recipients?: string[] };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; bouncedRecipients?: Array<{ emailAddress?: string }> };
  complaint?: { timestamp?: string; complaintFeedbackType?: string; complainedRecipients?: Array<{ emailAddress?: string }> };
  deliveryDelay?: { timestamp?: string; delayedRecipients?: Array<{ emailAddress?: string }> };
  subscription?: { timestamp?: string; newTopicPreferences?: { unsubscribeAll?: boolean } };
  reject?: { reason?: string };
}

/** The reports of one SES event: [recipient, report, when] per recipient named. */
function reports(event: SesEvent): Array<[string | undefined, EmailReport, string | undefined]> {
  const destination = event.mail?.destination ?? [];
  const each = (list: Array<{ emailAddress?: string }> | undefined, r: EmailReport, at: string | undefined) => (list ?? []).map((x) => [x.emailAddress, r, at] as [string | undefined, EmailReport, string | undefined]);
  switch (event.eventType ?? event.notificationType) {
    case 'Delivery':
      return (event.delivery?.recipients ?? destination).map((to) => [to, EMAIL_REPORTS.delivered, event.delivery?.timestamp]);
    case 'Bounce': {
      const b = event.bounce;
      const r =
        b?.bounceType === 'Permanent'
          ? b.bounceSubType === 'OnAccountSuppressionList' || b.bounceSubType === 'Suppressed'
            ? EMAIL_REPORTS.suppressed
            : EMAIL_REPORTS.hardBounce
          : b?.bounceType === 'Transient'
            ? EMAIL_REPORTS.softBounce
            : EMAIL_REPORTS.undeterminedBounce;
      return each(b?.bouncedRecipients, r, b?.timestamp);
    }
    case 'Complaint':
      return event.complaint?.complaintFeedbackType === 'not-spam' ? [] : each(event.complaint?.complainedRecipients, EMAIL_REPORTS.complaint, event.complaint?.timestamp);
    case 'Reject':
      return destination.map((to) => [to, EMAIL_REPORTS.rejected, event.mail?.timestamp]);
    case 'DeliveryDelay':
      return each(event.deliveryDelay?.delayedRecipients, EMAIL_REPORTS.deferred, event.deliveryDelay?.timestamp);
    case 'Subscription':
      return event.subscription?.newTopicPreferences?.unsubscribeAll ? destination.map((to) => [to, EMAIL_REPORTS.unsubscribed, event.subscription?.timestamp]) : [];
    default:
      return [];
  }
}

export class SesReceiptSource implements ReceiptSource {
  readonly provider = 'ses';
  readonly channel = 'email' as const;
  private readonly verifier: SnsVerifier;

  constructor(private readonly settings: SesReceiptSettings) {
    this.verifier = new SnsVerifier(settings);
  }

  async handle(request: ReceiptRequest, signal: AbortSignal): Promise<ReceiptOutcome> {
    const message = parseSnsMessage(jsonBody(request.rawBody));
    if (!message) return refused(401, 'not a signed SNS message');
    const verdict = await this.verifier.verify(message, signal);
    if (!verdict.ok) return refused(verdict.status, verdict.reason);
    switch (message.Type) {
      case 'SubscriptionConfirmation': {
        if (!this.settings.confirmSubscriptions) {
          this.settings.log?.(`SNS subscription to ${message.TopicArn} not confirmed (SES_SNS_CONFIRM is off)`);
          return { kind: 'accepted', receipts: [] };
        }
        const confirmed = await this.verifier.confirm(message, signal).catch((error: unknown) => {
          this.settings.log?.(`SNS subscription to ${message.TopicArn}: SubscribeURL failed: ${(error as Error).message}`);
          return false;
        });
        if (!confirmed) return refused(403, 'SubscribeURL not confirmed (not an https URL on an SNS host, or it failed)');
        this.settings.log?.(`SNS subscription to ${message.TopicArn} confirmed`);
        return { kind: 'accepted', receipts: [] };
      }
      case 'UnsubscribeConfirmation':
        return { kind: 'accepted', receipts: [] };
      default:
        break;
    }
    const event = jsonBody(Buffer.from(message.Message, 'utf8')) as SesEvent | undefined;
    const providerMessageId = event?.mail?.messageId;
    if (!event || !providerMessageId) return { kind: 'accepted', receipts: [] };
    const ids = heraldIds(event.mail?.tags);
    const receipts: ReceiptFields[] = reports(event).map(([recipient, r, at]) =>
      receipt({ receiptId: `ses:${message.MessageId}:${recipient ?? ''}`, provider: this.provider, providerMessageId, ...(recipient ? { recipient } : {}), at: isoTime(at ?? message.Timestamp), ids }, r),
    );
    return { kind: 'accepted', receipts };
  }
}
