/**
 * BullMQ job payloads. Each carries what its worker needs and nothing secret; `v` versions the
 * shape so that a worker can refuse a job it does not understand instead of misreading it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ChannelSchema, EmailContent, MessagePriority, SmsContent } from '../http/north';
import { EmailAddress, PhoneNumber, Timestamp, Uuid } from '../schema-kit';

export const JOB_VERSION = 1;

/** An API client's name (as in API_KEYS). */
export const ClientName = Type.String({ minLength: 1, maxLength: 128 });

const DeliveryRef = Type.Object(
  { deliveryId: Uuid, channel: ChannelSchema, generation: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

/** NotificationQueue: one message, routed by the main queue processor to each channel's queue. */
export const NotificationJob = Type.Object(
  {
    v: Type.Literal(JOB_VERSION),
    messageId: Uuid,
    acceptedAt: Timestamp,
    /** The API client that sent the message (suppression lists are per client). */
    client: Type.Optional(ClientName),
    /** high: ahead of normal traffic in the channel queues. */
    priority: Type.Optional(MessagePriority),
    deliveries: Type.Array(DeliveryRef, { minItems: 1 }),
    to: Type.Object(
      { email: Type.Optional(EmailAddress), phone: Type.Optional(PhoneNumber) },
      { additionalProperties: false },
    ),
    email: Type.Optional(EmailContent),
    sms: Type.Optional(SmsContent),
  },
  { additionalProperties: false },
);
export type NotificationJob = Static<typeof NotificationJob>;

/** Messages per NotificationQueue batch job at most (and the bridge keeps a job under about 1 MiB). */
export const NOTIFICATION_BATCH_MAX = 200;

/**
 * NotificationQueue: several messages at once, as a Kafka batch of north-updates brings them (the
 * bridge adds one job per batch, the main queue processor routes them with one addBulk per
 * channel queue). Single-message jobs (NotificationJob) are still routed.
 */
export const NotificationBatchJob = Type.Object(
  {
    v: Type.Literal(JOB_VERSION),
    kind: Type.Literal('batch'),
    messages: Type.Array(NotificationJob, { minItems: 1, maxItems: NOTIFICATION_BATCH_MAX }),
  },
  { additionalProperties: false },
);
export type NotificationBatchJob = Static<typeof NotificationBatchJob>;

const DeliveryJobBase = {
  v: Type.Literal(JOB_VERSION),
  messageId: Uuid,
  /** The API client that sent the message (suppression lists are per client). */
  client: Type.Optional(ClientName),
  /** Where the last attempt failed: the next one prefers another provider (failover). */
  routing: Type.Optional(Type.Object({ avoid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) }, { additionalProperties: false })),
  deliveryId: Uuid,
  generation: Type.Integer({ minimum: 0 }),
  acceptedAt: Timestamp,
};

/** EmailQueue: one email delivery. */
export const EmailJob = Type.Object(
  { ...DeliveryJobBase, to: EmailAddress, content: EmailContent },
  { additionalProperties: false },
);
export type EmailJob = Static<typeof EmailJob>;

/** SmsQueue: one SMS delivery. */
export const SmsJob = Type.Object(
  { ...DeliveryJobBase, to: PhoneNumber, content: SmsContent },
  { additionalProperties: false },
);
export type SmsJob = Static<typeof SmsJob>;

export type DeliveryJob = EmailJob | SmsJob;
