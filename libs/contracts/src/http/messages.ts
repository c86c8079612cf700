/** GET /v1/messages/:id: a message, one delivery per channel, and the history of status events. */
import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_EVENT_TYPES, DELIVERY_STATUSES } from '../status';
import { Nullable, StringEnum, Timestamp, Uuid } from '../schema-kit';
import { ChannelSchema, Metadata, Recipient } from './north';

export const MessageParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type MessageParams = Static<typeof MessageParams>;

export const DeliveryStatusSchema = StringEnum(DELIVERY_STATUSES);

export const DeliveryView = Type.Object(
  {
    id: Uuid,
    channel: ChannelSchema,
    status: DeliveryStatusSchema,
    attempts: Type.Integer({ minimum: 0, description: 'Provider calls made so far.' }),
    generation: Type.Integer({ minimum: 0, description: 'Raised by each replay.' }),
    providerMessageId: Nullable(Type.String()),
    provider: Nullable(Type.String({ description: 'The provider that sent it (smtp, ses, twilio...).' })),
    lastError: Nullable(Type.String({ description: "Herald's error code and a safe summary of the last failure." })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    queuedAt: Nullable(Timestamp),
    sentAt: Nullable(Timestamp),
    deliveredAt: Nullable(Timestamp),
    failedAt: Nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type DeliveryView = Static<typeof DeliveryView>;

export const HistoryEntry = Type.Object(
  {
    at: Timestamp,
    deliveryId: Uuid,
    channel: ChannelSchema,
    type: StringEnum(DELIVERY_EVENT_TYPES),
    attempt: Type.Integer({ minimum: 0 }),
    generation: Type.Integer({ minimum: 0 }),
    detail: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type HistoryEntry = Static<typeof HistoryEntry>;

export const MessageView = Type.Object(
  {
    id: Uuid,
    acceptedAt: Timestamp,
    channels: Type.Array(ChannelSchema),
    to: Recipient,
    metadata: Metadata,
    deliveries: Type.Array(DeliveryView),
    history: Type.Array(HistoryEntry),
  },
  { additionalProperties: false },
);
export type MessageView = Static<typeof MessageView>;
