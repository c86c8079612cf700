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
} as const;

/** "METHOD /path" of the operations that take an Idempotency-Key header. */
export const idempotentOperations: ReadonlySet<string> = new Set(['POST /v1/North']);
