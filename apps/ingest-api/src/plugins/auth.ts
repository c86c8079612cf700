/**
 * API clients. With API_KEYS set, every /v1 request needs `Authorization: Bearer <key>` and is
 * attributed to that key's client (Idempotency-Keys and message reads are per client); without,
 * every request belongs to the client "default" (local use, or behind a gateway that
 * authenticates). Keys are compared by their SHA-256, in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { problems } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API client this request belongs to. */
    client: string;
  }
}

export const DEFAULT_CLIENT = 'default';

/** Parses API_KEYS ("name:key,name:key") into key digest -> client. */
export function parseApiKeys(spec: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of spec.split(',').filter(Boolean)) {
    const at = pair.indexOf(':');
    keys.set(digest(pair.slice(at + 1)), pair.slice(0, at));
  }
  return keys;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Compares against every key, in constant time each, so timing says nothing about which matched. */
function lookup(keys: ReadonlyArray<readonly [Buffer, string]>, presented: string): string | undefined {
  const wanted = createHash('sha256').update(presented).digest();
  let found: string | undefined;
  for (const [key, client] of keys) {
    if (timingSafeEqual(key, wanted)) found = client;
  }
  return found;
}

async function authPlugin(app: FastifyInstance, options: { apiKeys: Map<string, string> }): Promise<void> {
  app.decorateRequest('client', DEFAULT_CLIENT);
  if (options.apiKeys.size === 0) return;
  const keys = [...options.apiKeys].map(([hex, client]) => [Buffer.from(hex, 'hex'), client] as const);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/')) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const client = match?.[1] ? lookup(keys, match[1]) : undefined;
    if (!client) throw problems.unauthorized();
    request.client = client;
  });
}

export default fp(authPlugin, { name: 'herald-auth', fastify: '5.x' });
