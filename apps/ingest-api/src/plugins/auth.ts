/**
 * Authentication of API clients, decided on the matched route: `authenticate` is an onRequest
 * hook that the /v1 scope (routes/v1) registers for every route declared in it, so whatever
 * spelling of a path reaches a /v1 handler (percent-encoding, an absolute-form target, dot
 * segments, repeated slashes) has passed it. Nothing here reads the URL.
 *
 * Every request needs `Authorization: Bearer <key>` and is attributed to that key's client
 * (Idempotency-Keys, message reads, rate limits and suppressions are per client). Keys are
 * compared by their SHA-256, in constant time, against every configured key. With
 * AUTH_DISABLED=true (local use only) there is no hook and every request is the client "default".
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { DEFAULT_CLIENT } from '../config';
import { problems } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API client this request belongs to. */
    client: string;
  }
}

export { DEFAULT_CLIENT };

export type ApiKeys = ReadonlyArray<readonly [digest: Buffer, client: string]>;

/** Parses API_KEYS ("name:key,name:key") into (SHA-256 of the key, client) pairs. */
export function parseApiKeys(spec: string): ApiKeys {
  return spec
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':');
      return [digest(pair.slice(at + 1)), pair.slice(0, at)] as const;
    });
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The hook that authenticates a request, for the keys given (digest -> client). */
export function authenticator(keys: ApiKeys): onRequestAsyncHookHandler {
  // Compares against every key, in constant time each, so timing says nothing about which matched.
  const lookup = (presented: string): string | undefined => {
    const wanted = digest(presented);
    let found: string | undefined;
    for (const [key, client] of keys) if (timingSafeEqual(key, wanted)) found = client;
    return found;
  };
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i.exec(header);
    const client = match?.[1] ? lookup(match[1]) : undefined;
    if (!client) throw problems.unauthorized();
    request.client = client;
  };
}
