/**
 * Response headers of the HTTP API, as documented in the OpenAPI document: what a client may
 * read besides the body (where the message is, whether an answer was replayed, how long to wait
 * before retrying, how much of its rate limit is left).
 */
import { Type, type TSchema } from '@sinclair/typebox';

export const ResponseHeaders = {
  location: Type.String({ description: 'Where the resource can be read, e.g. /v1/messages/{id}.' }),
  idempotentReplayed: Type.Literal('true', { description: 'Present when this answer repeats the one given earlier for the same Idempotency-Key (nothing new was sent).' }),
  retryAfter: Type.Integer({ minimum: 0, description: 'Seconds to wait before retrying (RFC 9110).' }),
  rateLimit: Type.String({ description: 'What is left of the rate limit (draft-ietf-httpapi-ratelimit-headers): the policy name, r=remaining requests, t=seconds until the window resets, e.g. "client";r=199;t=1.' }),
  rateLimitPolicy: Type.String({ description: 'The rate limits that apply to this API client (draft-ietf-httpapi-ratelimit-headers): q=requests per w seconds, e.g. "client";q=200;w=1, "burst";q=1000;w=10.' }),
  requestId: Type.String({ description: "This request's id (the X-Request-Id you sent, when it is a short token, or one Herald made): quote it when reporting a problem." }),
  wwwAuthenticate: Type.Literal('Bearer', { description: 'The authentication scheme the API takes (RFC 6750).' }),
} satisfies Record<string, TSchema>;

/** Header name -> schema, as a response schema's `headers` (the OpenAPI document lists them). */
export type HeaderSchemas = Readonly<Record<string, TSchema>>;

/** A response schema with the headers it comes with (only documentation: bodies stay as they are). */
export function withHeaders<S extends TSchema>(schema: S, headers: HeaderSchemas): S & { headers: HeaderSchemas } {
  return { ...schema, headers };
}
