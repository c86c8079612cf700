/**
 * Provider receipts on south-updates: what an email or SMS provider reported back about a
 * delivery after it accepted it (delivered, bounced, complained, opted out...). The receipts-api
 * verifies each provider's signature, turns the provider's payload into these records and
 * produces them; tracking applies them (forward only) and keeps the suppression list.
 *
 * A receipt is matched to its delivery by `deliveryId` when the provider echoed Herald's ids
 * (custom arguments, metadata, a callback URL parameter), otherwise by `providerMessageId`. One
 * that arrives before Herald recorded the send is kept and applied when the send is recorded.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema } from '../http/north';
import { StringEnum, Timestamp, Uuid } from '../schema-kit';

export const RECEIPT_EVENT_VERSION = 1;

/**
 * What a provider reported:
 * - delivered: the recipient's server or the carrier accepted it (the end of the road for us);
 * - bounced: the recipient's server refused it (`permanent`: a hard bounce, else soft);
 * - undelivered: the carrier could not deliver (SMS), `permanent` when retrying cannot help;
 * - rejected: the provider itself refused to send it (suppressed at the provider, policy, content);
 * - complained: the recipient marked it as spam (after delivery: the status stays, the address is suppressed);
 * - opted_out: the recipient asked to stop (SMS STOP, list unsubscribe reported by the provider);
 * - deferred: a temporary delay the provider is still retrying (history only).
 */
export const RECEIPT_OUTCOMES = ['delivered', 'bounced', 'undelivered', 'rejected', 'complained', 'opted_out', 'deferred'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

export const ReceiptEvent = Type.Object(
  {
    v: Type.Literal(RECEIPT_EVENT_VERSION),
    kind: Type.Literal('provider.receipt'),
    /** Stable per provider event (the provider's own event id, or a digest of what identifies it): a repeated receipt is stored once. */
    receiptId: Type.String({ minLength: 1, maxLength: 200 }),
    provider: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' }),
    channel: ChannelSchema,
    providerMessageId: Type.String({ minLength: 1, maxLength: 512 }),
    messageId: Type.Optional(Uuid),
    deliveryId: Type.Optional(Uuid),
    outcome: StringEnum(RECEIPT_OUTCOMES),
    /** For bounced / undelivered / rejected: retrying the same recipient cannot help. */
    permanent: Type.Boolean(),
    /** Herald's code for the reason, e.g. BOUNCE_HARD, CARRIER_UNREACHABLE, TWILIO_30003. */
    reasonCode: Type.Optional(Type.String({ maxLength: 64 })),
    /** A safe summary for API clients: never the provider's raw text (which may name hosts or addresses). */
    summary: Type.Optional(Type.String({ maxLength: 300 })),
    /** The address or number the receipt is about (what a suppression applies to). */
    recipient: Type.Optional(Type.String({ maxLength: 320 })),
    /** When the provider says it happened. */
    at: Timestamp,
  },
  { additionalProperties: false },
);
export type ReceiptEvent = Static<typeof ReceiptEvent>;

/** The fields a receipt source fills in; the envelope is added by makeReceiptEvent(). */
export type ReceiptFields = Omit<ReceiptEvent, 'v' | 'kind'>;

export function makeReceiptEvent(fields: ReceiptFields): ReceiptEvent {
  return { v: RECEIPT_EVENT_VERSION, kind: 'provider.receipt', ...fields };
}

/** Outcomes that put the recipient on the client's suppression list. */
export function suppresses(receipt: Pick<ReceiptEvent, 'outcome' | 'permanent'>): boolean {
  return receipt.outcome === 'complained' || receipt.outcome === 'opted_out' || (receipt.outcome === 'bounced' && receipt.permanent);
}

/**
 * The query parameters in which a provider's callback URL carries Herald's ids (Twilio's
 * StatusCallback, Vonage's callback): prefixed so that they never collide with the provider's own
 * fields (a Vonage GET receipt has its own `messageId` in the same query string).
 */
export const RECEIPT_ID_PARAMS = { deliveryId: 'heraldDeliveryId', messageId: 'heraldMessageId' } as const;
