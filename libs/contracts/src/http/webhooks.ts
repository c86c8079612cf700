/**
 * /v1/webhooks: status callbacks to API clients. An endpoint (a URL of the client's own, the event
 * types it wants) receives one signed call per delivery event, to the Standard Webhooks
 * specification (headers webhook-id, webhook-timestamp, webhook-signature). The payload schemas
 * here are also what the OpenAPI document shows in its `webhooks` section.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_EVENT_TYPES, DELIVERY_STATUSES, type DeliveryEventType } from '../status';
import { Nullable, SingleLine, StringEnum, Timestamp, Uuid } from '../schema-kit';
import { ChannelSchema, Metadata } from './north';

/** Version of `data` in every payload; raised only for a change a receiver must know about. */
export const WEBHOOK_SCHEMA_VERSION = 1;

/** Delivery event types as webhook types ("delivery.sent"); `accepted` never travels as an event. */
// 'accepted' and 'sending' never travel as events (a delivery is recorded queued; the ledger records sending).
export const WEBHOOK_EVENT_TYPES = DELIVERY_EVENT_TYPES.filter((t) => t !== 'accepted' && t !== 'sending').map((t) => `delivery.${t}` as const);
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the event POST /v1/webhooks/{id}/test sends. */
export const WEBHOOK_TEST_TYPE = 'webhook.test';

export function webhookEventType(type: DeliveryEventType): `delivery.${DeliveryEventType}` {
  return `delivery.${type}`;
}

/** Outcomes of one call to an endpoint. */
export const WEBHOOK_ATTEMPT_STATUSES = ['succeeded', 'retrying', 'failed', 'skipped'] as const;
export type WebhookAttemptStatus = (typeof WEBHOOK_ATTEMPT_STATUSES)[number];

/** The prefix of a signing secret (Standard Webhooks): whsec_ then the key in base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Longest target URL. */
export const WEBHOOK_URL_MAX = 2_048;

/** Endpoints one client may have. */
export const WEBHOOK_ENDPOINTS_MAX = 50;

const EventTypeFilter = Type.Array(StringEnum([...WEBHOOK_EVENT_TYPES, '*'] as const), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length + 1,
  uniqueItems: true,
  description: 'The event types to send, e.g. ["delivery.sent", "delivery.failed"], or ["*"] for every one.',
});

const TargetUrl = Type.String({
  format: 'uri',
  pattern: '^https?://[^\\s]+$',
  maxLength: WEBHOOK_URL_MAX,
  description:
    'Where Herald POSTs the events: https, no credentials in it, a host that resolves to public addresses only (http and private addresses only where the deployment allows them, for local use).',
  examples: ['https://example.com/herald/webhooks'],
});

export const WebhookEndpointView = Type.Object(
  {
    id: Uuid,
    url: Type.String(),
    description: Nullable(Type.String()),
    eventTypes: Type.Array(Type.String(), { description: 'Event types sent to this endpoint ("*": every one).' }),
    enabled: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    disabledReason: Nullable(Type.String({ description: 'Why Herald disabled it (410 Gone, or failing for too long); null when enabled or disabled by you.' })),
    failingSince: Nullable(Type.String({ format: 'date-time', description: 'Since when every call has failed (null while calls succeed).' })),
  },
  { additionalProperties: false },
);
export type WebhookEndpointView = Static<typeof WebhookEndpointView>;

export const WebhookCreateRequest = Type.Object(
  {
    url: TargetUrl,
    description: Type.Optional(SingleLine(500)),
    eventTypes: Type.Optional(EventTypeFilter),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  },
  { additionalProperties: false, description: 'A new endpoint; eventTypes defaults to ["*"].' },
);
export type WebhookCreateRequest = Static<typeof WebhookCreateRequest>;

export const WebhookUpdateRequest = Type.Object(
  {
    url: Type.Optional(TargetUrl),
    description: Type.Optional(Nullable(SingleLine(500))),
    eventTypes: Type.Optional(EventTypeFilter),
    enabled: Type.Optional(Type.Boolean({ description: 'true enables it again (clears disabledReason and failingSince).' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type WebhookUpdateRequest = Static<typeof WebhookUpdateRequest>;

const Secret = Type.String({
  pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
  description: 'The signing secret, shown only here: whsec_ and the key in base64 (Standard Webhooks). Keep it; Herald cannot show it again.',
});

export const WebhookCreated = Type.Object(
  { ...WebhookEndpointView.properties, secret: Secret },
  { additionalProperties: false },
);
export type WebhookCreated = Static<typeof WebhookCreated>;

export const WebhookSecretRotated = Type.Object(
  {
    secret: Secret,
    previousSecretExpiresAt: Timestamp,
  },
  { additionalProperties: false, description: 'Until previousSecretExpiresAt every call carries two signatures, one per secret.' },
);
export type WebhookSecretRotated = Static<typeof WebhookSecretRotated>;

export const WebhookList = Type.Object({ items: Type.Array(WebhookEndpointView) }, { additionalProperties: false });
export type WebhookList = Static<typeof WebhookList>;

export const WebhookParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type WebhookParams = Static<typeof WebhookParams>;

export const WebhookAttemptParams = Type.Object({ id: Uuid, attemptId: Uuid }, { additionalProperties: false });
export type WebhookAttemptParams = Static<typeof WebhookAttemptParams>;

/** The error of a delivery as a webhook shows it: Herald's code and a summary of its own, never the provider's text. */
export const WebhookDeliveryError = Type.Object(
  {
    code: Type.String({ description: "Herald's error code, e.g. SMTP_550, HTTP_429, EXPIRED, SUPPRESSED." }),
    summary: Type.String({ description: 'What the code means, in a sentence.' }),
    permanent: Type.Boolean({ description: 'No retry will follow.' }),
  },
  { additionalProperties: false },
);
export type WebhookDeliveryError = Static<typeof WebhookDeliveryError>;

export const DeliveryEventData = Type.Object(
  {
    schemaVersion: Type.Literal(WEBHOOK_SCHEMA_VERSION),
    eventId: Type.String({ description: 'Stable per fact: the same event always has the same id.' }),
    messageId: Uuid,
    deliveryId: Uuid,
    channel: ChannelSchema,
    eventType: StringEnum(DELIVERY_EVENT_TYPES),
    status: Nullable(StringEnum(DELIVERY_STATUSES, { description: 'The delivery status this event reports; null for a history note (attempt_failed, deferred, complained, opted_out), which does not change the status.' })),
    generation: Type.Integer({ minimum: 0, description: 'Raised by each replay of the delivery.' }),
    attempt: Type.Integer({ minimum: 0 }),
    sequence: Type.Integer({
      minimum: 0,
      description: 'Grows with every event of one delivery (by generation, attempt, then event order): keep the highest you have seen and drop an event with a lower one.',
    }),
    provider: Nullable(Type.String()),
    providerMessageId: Nullable(Type.String()),
    error: Nullable(WebhookDeliveryError),
    retryAt: Nullable(Type.String({ format: 'date-time', description: 'When a failed attempt will be retried.' })),
    at: Timestamp,
    metadata: Metadata,
  },
  { additionalProperties: false },
);
export type DeliveryEventData = Static<typeof DeliveryEventData>;

export const DeliveryEventPayload = Type.Object(
  {
    type: StringEnum(WEBHOOK_EVENT_TYPES, { description: 'delivery. and the event type.' }),
    timestamp: Timestamp,
    data: DeliveryEventData,
  },
  { additionalProperties: false, description: 'The body of each call (Standard Webhooks payload structure): a delivery event of one of your messages.' },
);
export type DeliveryEventPayload = Static<typeof DeliveryEventPayload>;

export const TestEventPayload = Type.Object(
  {
    type: Type.Literal(WEBHOOK_TEST_TYPE),
    timestamp: Timestamp,
    data: Type.Object(
      { schemaVersion: Type.Literal(WEBHOOK_SCHEMA_VERSION), endpointId: Uuid, message: Type.String() },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'What POST /v1/webhooks/{id}/test sends.' },
);
export type TestEventPayload = Static<typeof TestEventPayload>;

export type WebhookPayload = DeliveryEventPayload | TestEventPayload;

export const WebhookAttemptView = Type.Object(
  {
    id: Uuid,
    webhookId: Type.String({ description: 'The webhook-id header: the same for every attempt of one event (and its replays).' }),
    eventType: Type.String(),
    messageId: Nullable(Uuid),
    deliveryId: Nullable(Uuid),
    attempt: Type.Integer({ minimum: 1, description: 'Calls made for this event so far (a replay starts again at 1).' }),
    status: StringEnum(WEBHOOK_ATTEMPT_STATUSES, {
      description: 'succeeded (2xx); retrying (failed, another call is scheduled at nextAttemptAt); failed (no more calls: replay it); skipped (not sent: the endpoint was disabled; replay it after enabling).',
    }),
    responseStatus: Nullable(Type.Integer()),
    error: Nullable(Type.String({ description: 'Why the call failed: a timeout, a refused connection, a refused address, or the HTTP status.' })),
    response: Nullable(Type.String({ description: 'The start of your answer (at most 1 KiB).' })),
    durationMs: Nullable(Type.Integer({ minimum: 0 })),
    nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
    replayOf: Nullable(Type.String({ format: 'uuid', description: 'The attempt this call replays.' })),
    at: Timestamp,
  },
  { additionalProperties: false },
);
export type WebhookAttemptView = Static<typeof WebhookAttemptView>;

export const WebhookAttemptQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(WEBHOOK_ATTEMPT_STATUSES)),
    after: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The `next` of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Attempts per page (default 50).' })),
  },
  { additionalProperties: false },
);
export type WebhookAttemptQuery = Static<typeof WebhookAttemptQuery>;

export const WebhookAttemptPage = Type.Object(
  {
    items: Type.Array(WebhookAttemptView, { description: 'Newest first.' }),
    next: Nullable(Type.String({ description: 'Pass as `after` for the next page; null on the last page.' })),
  },
  { additionalProperties: false },
);
export type WebhookAttemptPage = Static<typeof WebhookAttemptPage>;

export const WEBHOOK_REPLAY_MAX = 10_000;

export const WebhookReplayRequest = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only events whose last call failed at or after this time.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only events whose last call failed before this time.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: WEBHOOK_REPLAY_MAX, description: 'At most this many events (oldest first). Default 1000.' })),
    dryRun: Type.Optional(Type.Boolean({ description: 'Count what would be replayed; send nothing.' })),
  },
  { additionalProperties: false, description: 'Sends again the events whose calls to this endpoint ended failed or skipped, with their original webhook-id.' },
);
export type WebhookReplayRequest = Static<typeof WebhookReplayRequest>;

export const WebhookReplayAnswer = Type.Object(
  {
    dryRun: Type.Boolean(),
    matched: Type.Integer({ minimum: 0 }),
    replayed: Type.Integer({ minimum: 0 }),
    webhookIds: Type.Array(Type.String(), { description: 'The webhook-ids sent again (or that would be), up to 100.' }),
  },
  { additionalProperties: false },
);
export type WebhookReplayAnswer = Static<typeof WebhookReplayAnswer>;

export const WebhookTestAnswer = Type.Object(
  { webhookId: Type.String({ description: 'The webhook-id of the test call: find it in the attempts.' }) },
  { additionalProperties: false },
);
export type WebhookTestAnswer = Static<typeof WebhookTestAnswer>;
