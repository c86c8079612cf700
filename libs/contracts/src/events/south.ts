/** Records on south-updates (keyed by message id): what happened to a delivery. */
import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_EVENT_TYPES } from '../status';
import { ChannelSchema } from '../http/north';
import { StringEnum, Timestamp, Uuid } from '../schema-kit';
import { deliveryEventId } from '../ids';

export const SOUTH_EVENT_VERSION = 1;

/** Bounds of a delivery error in an event (longer provider texts are cut). */
const ERROR_CODE_LENGTH = 64;
const ERROR_MESSAGE_LENGTH = 2_000;

export const DeliveryError = Type.Object(
  {
    code: Type.String({ maxLength: ERROR_CODE_LENGTH, description: 'e.g. ECONNREFUSED, SMTP_550, HTTP_429, EXPIRED.' }),
    message: Type.String({ maxLength: ERROR_MESSAGE_LENGTH }),
    permanent: Type.Boolean(),
    /** The provider refused the recipient for good (opted out, does not exist): put it on the client's suppression list. */
    suppress: Type.Optional(StringEnum(['opt_out', 'hard_bounce'] as const)),
  },
  { additionalProperties: false },
);
export type DeliveryError = Static<typeof DeliveryError>;

export const DeliveryEvent = Type.Object(
  {
    v: Type.Literal(SOUTH_EVENT_VERSION),
    kind: Type.Literal('delivery.event'),
    eventId: Type.String({ minLength: 1, maxLength: 128 }),
    messageId: Uuid,
    deliveryId: Uuid,
    channel: ChannelSchema,
    type: StringEnum(DELIVERY_EVENT_TYPES),
    generation: Type.Integer({ minimum: 0 }),
    attempt: Type.Integer({ minimum: 0 }),
    at: Timestamp,
    providerMessageId: Type.Optional(Type.String({ maxLength: 512 })),
    /** The provider that holds (or held) this attempt, e.g. smtp, ses, twilio. */
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' })),
    error: Type.Optional(DeliveryError),
    /** When a failed attempt will be retried. */
    retryAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type DeliveryEvent = Static<typeof DeliveryEvent>;

/** The fields that vary between delivery events; the rest is derived. */
export interface DeliveryEventFields {
  messageId: string;
  deliveryId: string;
  channel: DeliveryEvent['channel'];
  type: DeliveryEvent['type'];
  generation: number;
  attempt: number;
  at?: Date;
  providerMessageId?: string | null;
  provider?: string;
  error?: DeliveryError;
  retryAt?: Date;
}

/** Builds a versioned delivery event whose id makes a repeated report of the same fact a no-op. */
export function makeDeliveryEvent(f: DeliveryEventFields): DeliveryEvent {
  return {
    v: SOUTH_EVENT_VERSION,
    kind: 'delivery.event',
    eventId: deliveryEventId(f.deliveryId, f.generation, f.attempt, f.type),
    messageId: f.messageId,
    deliveryId: f.deliveryId,
    channel: f.channel,
    type: f.type,
    generation: f.generation,
    attempt: f.attempt,
    at: (f.at ?? new Date()).toISOString(),
    ...(f.providerMessageId ? { providerMessageId: f.providerMessageId } : {}),
    ...(f.provider ? { provider: f.provider } : {}),
    ...(f.error ? { error: { ...f.error, message: f.error.message.slice(0, ERROR_MESSAGE_LENGTH), code: f.error.code.slice(0, ERROR_CODE_LENGTH) } } : {}),
    ...(f.retryAt ? { retryAt: f.retryAt.toISOString() } : {}),
  };
}
