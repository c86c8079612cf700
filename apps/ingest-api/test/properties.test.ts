/**
 * Property-based tests (fast-check) of the body parser and the request schema, through the whole
 * app (buildApp, real Kafka, Redis and PostgreSQL): for random documents, random mutations of
 * valid messages and random bytes, the answer is never a 5xx, and a 202 only ever answers a body
 * that is a valid message by the contract and by the rules stated independently below.
 */
import fc from 'fast-check';
import { CHANNELS, northRequestValidator } from '@herald/contracts';
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let app: App;

beforeAll(async () => {
  t = await startTestApp({ name: 'props', env: { RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_GLOBAL: '0', BODY_LIMIT_BYTES: String(64 * 1024) } });
  app = t.app;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const REFUSALS = new Set([400, 413, 415, 422]);

async function post(payload: string | Buffer, contentType = 'application/json'): Promise<number> {
  const response = await app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': contentType }, payload });
  return response.statusCode;
}

/** The rules of a valid message, written here independently of the schema. */
function looksValid(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (Object.keys(b).some((k) => !['to', 'channels', 'email', 'sms', 'metadata'].includes(k))) return false;
  const channels = b['channels'];
  if (!Array.isArray(channels) || channels.length === 0 || new Set(channels).size !== channels.length) return false;
  if (!channels.every((c) => (CHANNELS as readonly unknown[]).includes(c))) return false;
  const to = b['to'] as Record<string, unknown> | undefined;
  if (!to || typeof to !== 'object') return false;
  if (channels.includes('email') && (typeof to['email'] !== 'string' || !b['email'])) return false;
  if (channels.includes('sms') && (typeof to['phone'] !== 'string' || !b['sms'])) return false;
  return true;
}

const validMessage = fc.record(
  {
    to: fc.record({ email: fc.constantFrom('ada@example.com', 'b.c+d@example.org'), phone: fc.constantFrom('+447700900123', '+12015550123') }),
    channels: fc.constantFrom(['email'], ['sms'], ['email', 'sms'], ['sms', 'email']),
    email: fc.record({ subject: fc.string({ minLength: 1, maxLength: 40 }), text: fc.string({ minLength: 1, maxLength: 200 }) }),
    sms: fc.record({ text: fc.string({ minLength: 1, maxLength: 160 }) }),
    metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 5 }),
  },
  { requiredKeys: ['to', 'channels'] },
);

/** Anything JSON can hold, strings included with every code point. */
const anyJson = fc.jsonValue({ maxDepth: 4 });
const anyString = fc.string({ unit: 'binary', maxLength: 50 });

type Mutation = (m: Record<string, unknown>) => void;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('to', 'channels', 'email', 'sms', 'metadata').map((k) => (m: Record<string, unknown>) => void delete m[k]),
  fc.tuple(fc.constantFrom('to', 'channels', 'email', 'sms', 'metadata'), anyJson).map(([k, v]) => (m: Record<string, unknown>) => void (m[k] = v)),
  fc.tuple(anyString, anyJson).map(([k, v]) => (m: Record<string, unknown>) => void (m[k] = v)),
  fc.tuple(fc.constantFrom('email', 'phone'), anyString).map(([k, v]) => (m: Record<string, unknown>) => void (m['to'] = { ...(typeof m['to'] === 'object' ? m['to'] : {}), [k]: v })),
  fc.tuple(fc.constantFrom('subject', 'text', 'html', 'from', 'replyTo', 'unsubscribeUrl', 'x'), anyString).map(
    ([k, v]) =>
      (m: Record<string, unknown>) =>
        void (m['email'] = { ...(typeof m['email'] === 'object' ? m['email'] : {}), [k]: v }),
  ),
  fc.tuple(anyString, anyJson).map(([k, v]) => (m: Record<string, unknown>) => void (m['metadata'] = { ...(typeof m['metadata'] === 'object' ? m['metadata'] : {}), [k]: v })),
);

describe('the body parser and the request schema, on random input', () => {
  it('never answers a random JSON document with a 5xx, and accepts one only if it is a valid message', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (value) => {
        const status = await post(JSON.stringify(value));
        expect(status === 202 || REFUSALS.has(status)).toBe(true);
        if (status === 202) expect(northRequestValidator.check(value) && looksValid(value)).toBe(true);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('never answers a mutated valid message with a 5xx, and accepts one only if it is still valid', async () => {
    await fc.assert(
      fc.asyncProperty(validMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (message, mutations) => {
        // A JSON copy, as the server gets it (structuredClone makes its arrays in Node's own realm, not
        // Jest's, and Ajv's deep equality of enum values, like the channels of a variant, checks constructors).
        const body = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
        for (const m of mutations) m(body);
        const status = await post(JSON.stringify(body));
        expect(status === 202 || REFUSALS.has(status)).toBe(true);
        if (status === 202) expect(northRequestValidator.check(body) && looksValid(body)).toBe(true);
        if (!northRequestValidator.check(body)) expect(status).not.toBe(202);
      }),
      { numRuns: 300 },
    );
  }, 180_000);

  it('never answers random bytes with a 5xx or a 202', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'), async (bytes, type) => {
        const status = await post(Buffer.from(bytes), type);
        expect(REFUSALS.has(status)).toBe(true);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('accepts every valid message it is given', async () => {
    await fc.assert(
      fc.asyncProperty(validMessage, async (message) => {
        const complete = { ...message, email: message.email ?? { subject: 's', text: 't' }, sms: message.sms ?? { text: 't' } };
        const status = await post(JSON.stringify(complete));
        // Valid by the contract unless a generated string broke a text rule (NUL, control characters in the subject...).
        expect(status).toBe(northRequestValidator.check(complete) ? 202 : 400);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
