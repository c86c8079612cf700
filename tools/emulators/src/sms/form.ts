/** What the SMS emulators share: form-encoded bodies (Twilio, Vonage, SNS all take them) and ids. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The raw text of each form-encoded request body (what a request signature covers). */
export const rawBodies = new WeakMap<FastifyRequest, string>();

/** Parses application/x-www-form-urlencoded bodies into { name: first value }, keeping the raw text. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request, body as string);
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) if (!(k in params)) params[k] = v;
    done(null, params);
  });
}

/** Encodes params as a form body (what providers POST to callbacks). */
export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Basic credentials from an Authorization header, or null. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at < 0 ? null : { user: decoded.slice(0, at), password: decoded.slice(at + 1) };
}
