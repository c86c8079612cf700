/**
 * This file was generated from openapi.json by tools/client-gen (nx run @herald/client:generate).
 * Do not make direct changes to the file.
 */

/** Every operation of the API: method and path by operationId. */
export const operations = {
  sendMessage: { method: 'POST', path: '/v1/North', idempotencyKey: true },
  getMessage: { method: 'GET', path: '/v1/messages/{id}', idempotencyKey: false },
  replayDeliveries: { method: 'POST', path: '/v1/replays', idempotencyKey: false },
  listSuppressions: { method: 'GET', path: '/v1/suppressions', idempotencyKey: false },
  getSuppression: { method: 'GET', path: '/v1/suppressions/{channel}/{address}', idempotencyKey: false },
  addSuppression: { method: 'PUT', path: '/v1/suppressions/{channel}/{address}', idempotencyKey: false },
  removeSuppression: { method: 'DELETE', path: '/v1/suppressions/{channel}/{address}', idempotencyKey: false },
  listWebhooks: { method: 'GET', path: '/v1/webhooks', idempotencyKey: false },
  createWebhook: { method: 'POST', path: '/v1/webhooks', idempotencyKey: false },
  getWebhook: { method: 'GET', path: '/v1/webhooks/{id}', idempotencyKey: false },
  deleteWebhook: { method: 'DELETE', path: '/v1/webhooks/{id}', idempotencyKey: false },
  updateWebhook: { method: 'PATCH', path: '/v1/webhooks/{id}', idempotencyKey: false },
  testWebhook: { method: 'POST', path: '/v1/webhooks/{id}/test', idempotencyKey: false },
  rotateWebhookSecret: { method: 'POST', path: '/v1/webhooks/{id}/rotate-secret', idempotencyKey: false },
  listWebhookAttempts: { method: 'GET', path: '/v1/webhooks/{id}/attempts', idempotencyKey: false },
  replayWebhookAttempt: { method: 'POST', path: '/v1/webhooks/{id}/attempts/{attemptId}/replay', idempotencyKey: false },
  replayWebhooks: { method: 'POST', path: '/v1/webhooks/{id}/replay', idempotencyKey: false },
} as const;

/** "METHOD /path" of the operations that take an Idempotency-Key header. */
export const idempotentOperations: ReadonlySet<string> = new Set(['POST /v1/North']);
