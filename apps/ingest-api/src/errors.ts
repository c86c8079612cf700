/**
 * ingest-api errors: one module, stable codes (like fastify's FST_ERR_*). Every error leaves as
 * RFC 9457 application/problem+json; 5xx bodies never carry internals.
 */
import { HeraldError } from '@herald/errors';
import type { FieldError } from '@herald/contracts';

export const ErrorCodes = {
  Validation: 'HERALD_ERR_VALIDATION',
  MalformedJson: 'HERALD_ERR_MALFORMED_JSON',
  UnsupportedMediaType: 'HERALD_ERR_UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'HERALD_ERR_PAYLOAD_TOO_LARGE',
  NotFound: 'HERALD_ERR_NOT_FOUND',
  MessageNotFound: 'HERALD_ERR_MESSAGE_NOT_FOUND',
  SuppressionNotFound: 'HERALD_ERR_SUPPRESSION_NOT_FOUND',
  SuppressionShared: 'HERALD_ERR_SUPPRESSION_SHARED',
  WebhookNotFound: 'HERALD_ERR_WEBHOOK_NOT_FOUND',
  WebhookAttemptNotFound: 'HERALD_ERR_WEBHOOK_ATTEMPT_NOT_FOUND',
  WebhookTargetRefused: 'HERALD_ERR_WEBHOOK_TARGET_REFUSED',
  WebhookDisabled: 'HERALD_ERR_WEBHOOK_DISABLED',
  WebhookLimit: 'HERALD_ERR_WEBHOOK_LIMIT',
  WebhooksUnavailable: 'HERALD_ERR_WEBHOOKS_UNAVAILABLE',
  IdempotencyMismatch: 'HERALD_ERR_IDEMPOTENCY_KEY_REUSED',
  IdempotencyInProgress: 'HERALD_ERR_IDEMPOTENCY_KEY_IN_PROGRESS',
  Unauthorized: 'HERALD_ERR_UNAUTHORIZED',
  RateLimited: 'HERALD_ERR_RATE_LIMITED',
  NotAllowed: 'HERALD_ERR_NOT_ALLOWED',
  Unavailable: 'HERALD_ERR_UNAVAILABLE',
  Internal: 'HERALD_ERR_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const TYPE_BASE = 'https://herald.dev/problems/';

/** An error that maps to one HTTP problem response. */
export class HttpProblemError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_HTTP_PROBLEM';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  get type(): string {
    return `${TYPE_BASE}${this.code.replace(/^HERALD_ERR_/, '').toLowerCase().replace(/_/g, '-')}`;
  }
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new HttpProblemError(400, ErrorCodes.Validation, 'Request validation failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors),
  malformedJson: (detail: string) => new HttpProblemError(400, ErrorCodes.MalformedJson, 'Malformed JSON body', detail),
  unsupportedMediaType: (got: string) =>
    new HttpProblemError(415, ErrorCodes.UnsupportedMediaType, 'Unsupported media type', `Send application/json in UTF-8 (got ${got}).`),
  payloadTooLarge: (limit: number) => new HttpProblemError(413, ErrorCodes.PayloadTooLarge, 'Payload too large', `The body must be at most ${limit} bytes.`),
  messageTooLarge: (limit: number) =>
    new HttpProblemError(413, ErrorCodes.PayloadTooLarge, 'Payload too large', `The message is larger than Herald can queue (${limit} bytes with its envelope); nothing was accepted.`),
  notAllowed: (errors: FieldError[]) =>
    new HttpProblemError(422, ErrorCodes.NotAllowed, 'Not allowed for this client', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors),
  tooManyRequests: (retryAfterSec: number, headers: Record<string, string>) =>
    new HttpProblemError(429, ErrorCodes.RateLimited, 'Too many requests', `This API client is over its rate limit; retry after ${retryAfterSec} s.`, undefined, headers),
  notFound: (method: string, url: string) => new HttpProblemError(404, ErrorCodes.NotFound, 'Not found', `No route ${method} ${url}.`),
  messageNotFound: (id: string) => new HttpProblemError(404, ErrorCodes.MessageNotFound, 'Message not found', `No message has id ${id}.`),
  suppressionNotFound: () => new HttpProblemError(404, ErrorCodes.SuppressionNotFound, 'Not on the suppression list', 'This recipient is not on your suppression list.'),
  suppressionShared: () =>
    new HttpProblemError(409, ErrorCodes.SuppressionShared, 'Opt-out for every client', 'The recipient opted out of every sender of this deployment (e.g. replied STOP); it can only opt in again at the provider.'),
  webhookNotFound: (id: string) => new HttpProblemError(404, ErrorCodes.WebhookNotFound, 'Webhook endpoint not found', `You have no webhook endpoint with id ${id}.`),
  webhookAttemptNotFound: (id: string) => new HttpProblemError(404, ErrorCodes.WebhookAttemptNotFound, 'Webhook attempt not found', `This endpoint has no attempt with id ${id} (attempts are kept for a limited time).`),
  webhookTargetRefused: (errors: FieldError[]) =>
    new HttpProblemError(422, ErrorCodes.WebhookTargetRefused, 'Webhook target refused', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors),
  webhookDisabled: () =>
    new HttpProblemError(409, ErrorCodes.WebhookDisabled, 'Webhook endpoint disabled', 'The endpoint is disabled: enable it (PATCH {"enabled": true}) first.'),
  webhookLimit: (max: number) => new HttpProblemError(409, ErrorCodes.WebhookLimit, 'Too many webhook endpoints', `A client may have at most ${max} webhook endpoints; delete one first.`),
  webhooksUnavailable: () =>
    new HttpProblemError(503, ErrorCodes.WebhooksUnavailable, 'Webhooks not available', 'This deployment has no key for webhook secrets (WEBHOOK_SECRETS_KEY); ask its operator.', undefined, { 'retry-after': '3600' }),
  idempotencyMismatch: () =>
    new HttpProblemError(422, ErrorCodes.IdempotencyMismatch, 'Idempotency-Key reused with a different body', 'This Idempotency-Key was used for a different request; use a new key for a new message.'),
  idempotencyInProgress: () =>
    new HttpProblemError(409, ErrorCodes.IdempotencyInProgress, 'Request with this Idempotency-Key in progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', undefined, { 'retry-after': '1' }),
  unauthorized: () =>
    new HttpProblemError(401, ErrorCodes.Unauthorized, 'Unauthorized', 'Send a valid API key as Authorization: Bearer <key>.', undefined, { 'www-authenticate': 'Bearer' }),
  unavailable: (detail: string) => new HttpProblemError(503, ErrorCodes.Unavailable, 'Service unavailable', detail, undefined, { 'retry-after': '5' }),
  internal: () => new HttpProblemError(500, ErrorCodes.Internal, 'Internal server error', 'Something went wrong on our side; it has been logged.'),
};
