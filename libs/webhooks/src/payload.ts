/**
 * What a receiver gets for a delivery event: the Standard Webhooks payload structure (type,
 * timestamp, data) with Herald's fields in `data`. The provider's own error text never leaves
 * (it may quote the recipient, a server banner or internals): an error travels as Herald's code
 * and a summary written here for that code.
 */
import {
  WEBHOOK_SCHEMA_VERSION,
  isDeliveryStatus,
  webhookEventType,
  WEBHOOK_EVENT_TYPES,
  type DeliveryEvent,
  type DeliveryEventPayload,
  type WebhookDeliveryError,
} from '@herald/contracts';
import { deliverySequence } from './sequence';

export type Metadata = DeliveryEventPayload['data']['metadata'];

export function toDeliveryPayload(event: DeliveryEvent, metadata: Metadata): DeliveryEventPayload {
  return {
    type: webhookEventType(event.type) as DeliveryEventPayload['type'],
    timestamp: event.at,
    data: {
      schemaVersion: WEBHOOK_SCHEMA_VERSION,
      eventId: event.eventId,
      messageId: event.messageId,
      deliveryId: event.deliveryId,
      channel: event.channel,
      eventType: event.type,
      status: isDeliveryStatus(event.type) ? event.type : null,
      generation: event.generation,
      attempt: event.attempt,
      sequence: deliverySequence(event.generation, event.attempt, event.type),
      provider: event.provider ?? null,
      providerMessageId: event.providerMessageId ?? null,
      error: event.error ? safeError(event.error.code, event.error.permanent) : null,
      retryAt: event.retryAt ?? null,
      at: event.at,
      metadata,
    },
  };
}

/** Whether an endpoint that asked for `wanted` ("*" or webhook types) gets an event of `type`. */
export function wantsEvent(wanted: readonly string[], type: DeliveryEvent['type']): boolean {
  const webhookType = webhookEventType(type);
  // Types that are not webhook types (a "sending" from a worker of an older version) go nowhere.
  if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(webhookType)) return false;
  return wanted.includes('*') || wanted.includes(webhookType);
}

/** Summaries by code, first match wins. */
const SUMMARIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^EXPIRED$/, 'Not sent within the maximum age of a delivery.'],
  [/^SUPPRESSED$/, 'The recipient is on the suppression list (an earlier bounce, complaint or opt-out).'],
  [/OPTED_OUT|_21610$/, 'The recipient opted out of messages from this sender.'],
  [/^WORKER_GAVE_UP$/, 'Herald gave up on the delivery after repeated worker failures.'],
  [/^(IN_DOUBT|OUTCOME_UNKNOWN)/, 'The provider may or may not have accepted the message; Herald did not send it again.'],
  [/^INVALID_MESSAGE$/, 'The message could not be sent as given.'],
  [/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNECTION|ESOCKET|ECONNRESET|UND_ERR_)/, 'The provider could not be reached.'],
  [/TIMEOUT|ETIMEDOUT/, 'The provider did not answer in time.'],
  [/^EAUTH$|_401$|_403$|_20003$/, 'The provider refused Herald\'s credentials.'],
  [/^EENVELOPE$/, 'The mail server refused the sender or the recipient.'],
  [/_429$|_20429$/, 'The provider limited the sending rate.'],
  [/^SMTP_5\d\d$/, 'The mail server refused the message permanently.'],
  [/^SMTP_4\d\d$/, 'The mail server refused the message for now.'],
  [/_5\d\d$|_HTTP_5\d\d$/, 'The provider failed with a server error.'],
  [/_4\d\d$|_HTTP_4\d\d$/, 'The provider refused the request.'],
  [/BOUNCE|BOUNCED|UNDELIVERED|REJECTED/, 'The recipient\'s server or network did not accept the message.'],
];

export function errorSummary(code: string, permanent: boolean): string {
  for (const [pattern, summary] of SUMMARIES) if (pattern.test(code)) return summary;
  return permanent ? 'The delivery failed for good.' : 'The attempt failed; it will be retried.';
}

export function safeError(code: string, permanent: boolean): WebhookDeliveryError {
  return { code, summary: errorSummary(code, permanent), permanent };
}
