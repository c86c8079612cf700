/**
 * @herald/client: the typed client of the Herald API, generated from its OpenAPI document.
 *
 *   const herald = createHeraldClient({ baseUrl: 'http://localhost:9000', apiKey: process.env.HERALD_API_KEY });
 *   const sent = await herald.sendMessage({ to: { email: 'ada@example.com' }, channels: ['email'], email: { subject: 'Hi', text: 'Hello' } });
 *   const view = await herald.getMessage(sent.id);
 */
export { HeraldClient, createHeraldClient, type CallOptions, type HeraldClientOptions, type SendOptions, type SentMessage } from './client';
export { HeraldApiError, PROBLEM_CONTENT_TYPE, retryAfterSeconds } from './errors';
export { DEFAULT_RETRY, retryDelayMs, type RetryOptions } from './retry';
export { idempotentOperations, operations } from './generated/operations';
export type { components, operations as operationTypes, paths } from './generated/schema';
export type * from './types';
