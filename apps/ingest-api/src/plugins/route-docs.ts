/**
 * What every route's OpenAPI entry says about errors and headers, written once: onRoute hooks
 * that complete each route's response schemas before the document (and the serializers) are
 * built, so that a new route is documented like the others without repeating it.
 *
 * - documentRoute (every route): each error response is RFC 9457 application/problem+json with
 *   the Problem schema; a route that validates input answers 400, one that takes a body 413 and
 *   415 (the body parser's refusals); headers: X-Request-Id on every answer, Retry-After on 409,
 *   429 and 503, WWW-Authenticate on 401; plus those a route declares with withHeaders().
 * - documentV1Route (the /v1 scope): the bearer security scheme, 401 and 429, and the RateLimit
 *   headers on every answer (what the authentication and rate-limit hooks of the scope add).
 *
 * A route still declares the errors that are its own (404, 409, 422, 503): the lint test of the
 * document checks that every error response is a problem and every /v1 operation is secured.
 */
import type { RouteOptions } from 'fastify';
import { PROBLEM_CONTENT_TYPE, Problem, ResponseHeaders, type HeaderSchemas } from '@herald/contracts';

export const BEARER_SCHEME = 'bearerAuth';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  200: 'OK.',
  201: 'Created.',
  202: 'Accepted.',
  204: 'Done; no content.',
  400: 'The request is invalid: malformed JSON, or fields that break the schema (each is listed in `errors`).',
  401: 'No valid API key: send `Authorization: Bearer <key>`.',
  404: 'Not found (or not yours).',
  409: 'Conflict: see `code` and `detail`.',
  413: 'The body is larger than the deployment takes (BODY_LIMIT_BYTES, or what the north-updates topic takes).',
  415: 'The body is not `application/json` in UTF-8.',
  422: 'Well-formed, but refused: see `code` and `detail`.',
  429: 'This API client is over its rate limit: retry after `Retry-After` seconds.',
  503: 'Herald could not do it now (nothing changed): retry after `Retry-After` seconds.',
};

/** Headers every answer of a status carries (besides X-Request-Id). */
const STATUS_HEADERS: Readonly<Record<string, HeaderSchemas>> = {
  401: { 'WWW-Authenticate': ResponseHeaders.wwwAuthenticate },
  409: { 'Retry-After': { ...ResponseHeaders.retryAfter, description: 'Present when retrying can succeed (a request with the same Idempotency-Key still in flight).' } },
  429: { 'Retry-After': ResponseHeaders.retryAfter },
  503: { 'Retry-After': ResponseHeaders.retryAfter },
};

const RATE_LIMIT_HEADERS: HeaderSchemas = { RateLimit: ResponseHeaders.rateLimit, 'RateLimit-Policy': ResponseHeaders.rateLimitPolicy };

type ResponseSchema = Record<string, unknown> & { headers?: HeaderSchemas; content?: Record<string, { schema: unknown }>; description?: string };
type Responses = Record<string, ResponseSchema>;
type RouteSchema = { hide?: boolean; body?: unknown; params?: unknown; querystring?: unknown; headers?: unknown; response?: Responses; security?: ReadonlyArray<Record<string, readonly string[]>> };

const isError = (status: string): boolean => /^[45]/.test(status);

/** A response in the form that names its media type, its description and its headers. */
function documented(status: string, schema: ResponseSchema, extraHeaders: HeaderSchemas): ResponseSchema {
  const { headers: declared, description, ...rest } = schema;
  const headers = { 'X-Request-Id': ResponseHeaders.requestId, ...STATUS_HEADERS[status], ...extraHeaders, ...declared };
  const text = (isError(status) ? DESCRIPTIONS[status] : description) ?? DESCRIPTIONS[status] ?? 'Answer.';
  if (rest['content']) return { ...rest, description: text, headers: { ...headers, ...schema.headers } };
  // A 204 has no body: its schema stays `type: null`, which the document renders without content.
  if (rest['type'] === 'null') return { ...rest, description: text, headers };
  const body = isError(status) ? Problem : rest;
  return { description: text, headers, content: { [isError(status) ? PROBLEM_CONTENT_TYPE : 'application/json']: { schema: body } } };
}

function complete(route: RouteOptions, add: (schema: RouteSchema, responses: Responses) => { errors: string[]; headers: HeaderSchemas }): void {
  const schema = route.schema as RouteSchema | undefined;
  if (!schema || schema.hide) return;
  const responses: Responses = { ...(schema.response ?? {}) };
  const { errors, headers } = add(schema, responses);
  for (const status of errors) responses[status] ??= { ...Problem };
  route.schema = {
    ...schema,
    response: Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, response['content'] && response['description'] ? { ...response, headers: { ...response.headers, ...headers } } : documented(status, response, headers)])),
  };
}

/** onRoute, for every route: problem+json errors, the 400/413/415 that input validation and the body parser answer, X-Request-Id. */
export function documentRoute(route: RouteOptions): void {
  complete(route, (schema) => {
    const errors = [];
    if (schema.body || schema.params || schema.querystring || schema.headers) errors.push('400');
    if (schema.body) errors.push('413', '415');
    return { errors, headers: {} };
  });
}

/** onRoute, for the /v1 scope: bearer authentication, 401, 429 and the RateLimit headers. */
export function documentV1Route(route: RouteOptions): void {
  complete(route, (schema) => {
    schema.security = [{ [BEARER_SCHEME]: [] }];
    return { errors: ['401', '429'], headers: RATE_LIMIT_HEADERS };
  });
}
