/**
 * WebhookQueue jobs: one status event for one endpoint. The job id is the webhook-id (derived
 * from the event id and the endpoint id, so that a batch consumed twice adds each job once and
 * every retry carries the same webhook-id); a replay is a new job with the same webhook-id. The
 * job carries the payload, never a secret: the worker reads the endpoint's secrets when it signs.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DeliveryEventPayload, TestEventPayload } from '../http/webhooks';
import { Timestamp, Uuid } from '../schema-kit';
import { ClientName, JOB_VERSION } from './jobs';

export const WebhookJob = Type.Object(
  {
    v: Type.Literal(JOB_VERSION),
    webhookId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    endpointId: Uuid,
    client: ClientName,
    payload: Type.Union([DeliveryEventPayload, TestEventPayload]),
    /** When the job was made (fan-out, test or replay). */
    createdAt: Timestamp,
    /** The attempt a replay sends again. */
    replayOf: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type WebhookJob = Static<typeof WebhookJob>;
