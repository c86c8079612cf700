/**
 * The `webhooks` section of the OpenAPI 3.1 document: the calls Herald makes to a client's
 * endpoint, with their headers (Standard Webhooks) and payload schemas from the contracts.
 */
import { DeliveryEventPayload, TestEventPayload } from '@herald/contracts';

const headers = [
  { name: 'webhook-id', in: 'header', required: true, description: 'The id of the event for this endpoint: the same on every retry and replay; deduplicate by it.', schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'When this call was signed, in seconds since the epoch; refuse calls more than 5 minutes away from your clock.', schema: { type: 'string' } },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: 'v1,<base64 HMAC-SHA256 of "webhook-id.webhook-timestamp.body"> under your signing secret, one per secret separated by spaces (two during a rotation). Verify with any Standard Webhooks library.',
    schema: { type: 'string' },
  },
];

// A receiver's answers are not Herald's problem+json errors, so they are described as 2XX and
// default rather than as 4xx responses.
const responses = {
  '2XX': { description: 'Received. Answer within the timeout (15 s by default).' },
  default: {
    description:
      'Any other answer, a timeout or a refused connection is retried on the schedule for more than 3 days (Retry-After honoured). 410 Gone disables the endpoint at once (its owner sees why; enable it again with PATCH /v1/webhooks/{id}).',
  },
};

/** Herald's calls carry no API key: the receiver authenticates them by their Standard Webhooks signature. */
export const WEBHOOK_SIGNATURE_SCHEME = 'webhookSignature';
const security = [{ [WEBHOOK_SIGNATURE_SCHEME]: [] }];

export const webhookDocs = {
  deliveryEvent: {
    post: {
      operationId: 'deliveryEventWebhook',
      tags: ['webhooks'],
      summary: 'A delivery event of one of your messages',
      description: 'Sent for every status change and history note of a delivery (types delivery.queued ... delivery.opted_out) to each of your endpoints that asked for its type.',
      parameters: headers,
      requestBody: { required: true, content: { 'application/json': { schema: DeliveryEventPayload } } },
      responses,
      security,
    },
  },
  testEvent: {
    post: {
      operationId: 'testEventWebhook',
      tags: ['webhooks'],
      summary: 'A test event (POST /v1/webhooks/{id}/test)',
      parameters: headers,
      requestBody: { required: true, content: { 'application/json': { schema: TestEventPayload } } },
      responses,
      security,
    },
  },
};
