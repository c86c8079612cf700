/**
 * Provider routes that need the request body as bytes (to verify a signature over it, or to
 * parse multipart forms with the platform's own parser) register inside rawBodyScope: there
 * every content type arrives as a Buffer, while the control API keeps Fastify's JSON parser.
 */
import type { FastifyInstance } from 'fastify';

export async function rawBodyScope(app: FastifyInstance, routes: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    routes(scope);
  });
}

/** A urlencoded or multipart/form-data body, parsed by the platform's own (undici) parser. */
export async function parseForm(body: Buffer, contentType: string | undefined): Promise<Map<string, string[]>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType ?? 'application/x-www-form-urlencoded' } }).formData();
  const fields = new Map<string, string[]>();
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') continue;
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  return fields;
}

/** A JSON body, or undefined when it is not JSON. */
export function parseJson(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
