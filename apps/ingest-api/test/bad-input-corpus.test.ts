/**
 * A corpus of hostile and broken requests (malformed JSON, wrong types, huge strings, Unicode edge
 * cases, header injection, prototype-pollution keys, wrong media types): every one gets a 4xx
 * problem, never a 5xx, and nothing reaches Kafka.
 */
import { northRequest, topicRecordCount } from '@herald/testing';
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let app: App;

beforeAll(async () => {
  t = await startTestApp({ name: 'corpus' });
  app = t.app;
});
afterAll(async () => {
  await t?.close();
});

const ok = northRequest();
const long = (n: number) => 'x'.repeat(n);
const json = (value: unknown) => JSON.stringify(value);
type Case = { name: string; body: string; contentType?: string | null; headers?: Record<string, string>; method?: 'POST' | 'PUT' | 'GET'; url?: string };
const body = (name: string, value: unknown): Case => ({ name, body: json(value) });
const raw = (name: string, text: string): Case => ({ name, body: text });

const corpus: Case[] = [
  // Malformed JSON
  raw('an unterminated object', '{'),
  raw('a lone closing brace', '}'),
  raw('a missing value', '{"to":}'),
  raw('a trailing comma', '{"to": {"email": "a@b.co"},}'),
  raw('single quotes', "{'to': {'email': 'a@b.co'}}"),
  raw('an unquoted key', '{to: 1}'),
  raw('NaN', '{"metadata": {"n": NaN}}'),
  raw('undefined', '{"to": undefined}'),
  raw('a NUL byte', '\u0000'),
  raw('two objects', '{}{}'),
  raw('an empty body', ''),
  raw('whitespace only', '   \n '),
  // Not an object
  raw('null', 'null'),
  raw('true', 'true'),
  raw('a number', '123'),
  raw('a string', '"hello"'),
  raw('an array', '[{"to": {}}]'),
  // Wrong types
  body('"to" as a string', { ...ok, to: 'ada@example.com' }),
  body('"to" as an array', { ...ok, to: [ok.to] }),
  body('"to" as null', { ...ok, to: null }),
  body('an email address as a number', { ...ok, to: { ...ok.to, email: 123 } }),
  body('a phone number as a number', { ...ok, to: { ...ok.to, phone: 447700900123 } }),
  body('"channels" as a string', { ...ok, channels: 'email' }),
  body('"channels" of numbers', { ...ok, channels: [1] }),
  body('"email" as a string', { ...ok, email: 'hello' }),
  body('a subject as a number', { ...ok, email: { ...ok.email, subject: 5 } }),
  body('a text body as an array', { ...ok, email: { ...ok.email, text: ['a'] } }),
  body('"sms" as an array', { ...ok, sms: [] }),
  body('an SMS text as a boolean', { ...ok, sms: { text: true } }),
  body('"metadata" as an array', { ...ok, metadata: [] }),
  body('a nested metadata object', { ...ok, metadata: { a: { b: 1 } } }),
  body('a metadata array value', { ...ok, metadata: { a: [1] } }),
  // Missing or contradictory
  body('an empty object', {}),
  body('no channel', { ...ok, channels: [] }),
  body('a repeated channel', { ...ok, channels: ['email', 'email'] }),
  body('an unknown channel', { ...ok, channels: ['email', 'push'] }),
  body('"__proto__" as a channel', { ...ok, channels: ['__proto__'] }),
  body('email without an address', { ...ok, to: { phone: ok.to.phone } }),
  body('sms without a phone', { ...ok, to: { email: ok.to.email } }),
  body('an empty recipient', { ...ok, to: {} }),
  body('email without a subject', { ...ok, email: { text: 'x' } }),
  body('email without a body', { ...ok, email: { subject: 'x' } }),
  body('an unknown top-level field', { ...ok, sendAt: '2030-01-01' }),
  body('an unknown email field', { ...ok, email: { ...ok.email, bcc: 'all@example.com' } }),
  body('an unknown recipient field', { ...ok, to: { ...ok.to, cc: 'x@y.z' } }),
  // Huge strings and too many things
  body('a 999-character subject', { ...ok, email: { ...ok.email, subject: long(999) } }),
  body('a 1601-character SMS', { ...ok, sms: { text: long(1601) } }),
  body('a 100001-character text body', { ...ok, email: { ...ok.email, text: long(100_001) } }),
  body('a 1025-character metadata value', { ...ok, metadata: { a: long(1025) } }),
  body('33 metadata keys', { ...ok, metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }),
  body('a 255-character email address', { ...ok, to: { ...ok.to, email: `${long(243)}@example.com` } }),
  { name: 'a 256-character Idempotency-Key', body: json(ok), headers: { 'idempotency-key': long(256) } },
  { name: 'a body over the limit', body: json({ ...ok, email: { ...ok.email, html: long(1_100_000) } }) },
  // Unicode edge cases
  body('an unpaired high surrogate in a subject', { ...ok, email: { ...ok.email, subject: 'Hi \ud83d' } }),
  body('an unpaired low surrogate in an SMS', { ...ok, sms: { text: '\ude00 hi' } }),
  body('a NUL in a text body', { ...ok, email: { ...ok.email, text: 'a\u0000b' } }),
  body('a NUL in a metadata value', { ...ok, metadata: { a: 'x\u0000y' } }),
  body('an internationalised domain', { ...ok, to: { ...ok.to, email: 'ada@exämple.com' } }),
  body('full-width digits in a phone number', { ...ok, to: { ...ok.to, phone: '+４４７７００９００１２３' } }),
  body('a zero-width space in a phone number', { ...ok, to: { ...ok.to, phone: '+44770\u200b0900123' } }),
  body('a bell character in a subject', { ...ok, email: { ...ok.email, subject: 'ding\u0007' } }),
  // Header injection
  body('CR LF in a subject', { ...ok, email: { ...ok.email, subject: 'Hi\r\nBcc: all@example.com' } }),
  body('LF in a subject', { ...ok, email: { ...ok.email, subject: 'Hi\nX-Spam: yes' } }),
  body('CR in a subject', { ...ok, email: { ...ok.email, subject: 'Hi\rX-Spam: yes' } }),
  body('CR LF in an address', { ...ok, to: { ...ok.to, email: 'a@b.co\r\nBcc: x@y.z' } }),
  body('a second recipient in the address', { ...ok, to: { ...ok.to, email: 'a@b.co, c@d.co' } }),
  body('a display name in the address', { ...ok, to: { ...ok.to, email: 'Ada <a@b.co>' } }),
  body('CR LF in a metadata key', { ...ok, metadata: { 'a\r\nb': 1 } }),
  // Prototype pollution
  raw('__proto__ at the top', '{"__proto__": {"admin": true}}'),
  raw('__proto__ in the recipient', json({ ...ok, to: 1 }).replace('"to":1', '"to":{"__proto__":{"email":"x@y.z"}}')),
  raw('__proto__ in metadata', json(ok).replace('"metadata":{}', '"metadata":{"__proto__":{"admin":true}}')),
  raw('constructor.prototype at the top', '{"constructor": {"prototype": {"admin": true}}}'),
  raw('constructor.prototype in metadata', json(ok).replace('"metadata":{}', '"metadata":{"constructor":{"prototype":{"x":1}}}')),
  // Media types and methods
  { name: 'text/plain', body: json(ok), contentType: 'text/plain' },
  { name: 'a form post', body: 'to=ada%40example.com', contentType: 'application/x-www-form-urlencoded' },
  { name: 'no content type', body: json(ok), contentType: null },
  { name: 'PUT instead of POST', body: json(ok), method: 'PUT' },
  { name: 'GET on /v1/North', body: '', method: 'GET' },
];

describe('bad-input corpus', () => {
  it('has at least 50 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('refuses %s with a 4xx problem', async (_name, c) => {
    const headers: Record<string, string> = { ...(c.contentType === null ? {} : { 'content-type': c.contentType ?? 'application/json' }), ...c.headers };
    const response = await app.inject({ method: c.method ?? 'POST', url: c.url ?? '/v1/North', headers, payload: c.body });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: response.statusCode, code: expect.stringMatching(/^HERALD_ERR_/) });
  });

  it('sent nothing to Kafka for any of them, and the service still accepts a good request', async () => {
    expect(await topicRecordCount(t.kafka, t.northTopic)).toBe(0);
    const response = await app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': 'application/json' }, payload: json(northRequest()) });
    expect(response.statusCode).toBe(202);
    expect(await topicRecordCount(t.kafka, t.northTopic)).toBe(1);
  });
});
