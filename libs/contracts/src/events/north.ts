/**
 * Records on north-updates (keyed by message id). The envelope is versioned: `v` changes only
 * with a new, incompatible shape, and consumers reject versions they do not know.
 */
import { Type, type Static } from '@sinclair/typebox';
import { NorthRequest } from '../http/north';
import { Timestamp, Uuid } from '../schema-kit';

export const NORTH_EVENT_VERSION = 1;

/** POST /v1/North was accepted: the message exists from this record on. */
export const MessageAcceptedEvent = Type.Object(
  {
    v: Type.Literal(NORTH_EVENT_VERSION),
    kind: Type.Literal('message.accepted'),
    messageId: Uuid,
    acceptedAt: Timestamp,
    client: Type.String({ minLength: 1, maxLength: 128 }),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    request: NorthRequest,
  },
  { additionalProperties: false },
);
export type MessageAcceptedEvent = Static<typeof MessageAcceptedEvent>;

/** An operator asked to deliver failed deliveries again (each one at its new generation). */
export const DeliveriesReplayedEvent = Type.Object(
  {
    v: Type.Literal(NORTH_EVENT_VERSION),
    kind: Type.Literal('deliveries.replayed'),
    messageId: Uuid,
    replayId: Uuid,
    requestedAt: Timestamp,
    deliveries: Type.Array(
      Type.Object(
        { deliveryId: Uuid, generation: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
export type DeliveriesReplayedEvent = Static<typeof DeliveriesReplayedEvent>;

export const NorthEvent = Type.Union([MessageAcceptedEvent, DeliveriesReplayedEvent]);
export type NorthEvent = Static<typeof NorthEvent>;
