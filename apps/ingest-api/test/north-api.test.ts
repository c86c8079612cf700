/**
 * ingest-api against real Kafka and PostgreSQL, through buildApp() and app.inject(): a valid
 * message is answered 202 only once it is on north-updates; bad input gets a 4xx problem that
 * names the field, and nothing reaches Kafka.
 */
import type { MessageAcceptedEvent } from '@herald/contracts';
import type { Kafka } from '@herald/kafka';
import { northRequest, readTopic, topicRecordCount } from '@herald/testing';
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let app: App;
let kafka: Kafka;
let northTopic: string;

beforeAll(async () => {
  t = await startTestApp({ name: 'ingest', partitions: 3, env: { BODY_LIMIT_BYTES: String(64 * 1024) } });
  ({ app, kafka, northTopic } = t);
});
afterAll(async () => {
  await t?.close();
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('POST /v1/North', () => {
  it('answers 202 with the id and one accepted delivery per channel, once the message is on Kafka', async () => {
    const before = await topicRecordCount(kafka, northTopic);
    const body = northRequest();
    const response = await post(body);
    expect(response.statusCode).toBe(202);
    const accepted = response.json();
    expect(accepted).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'accepted',
      deliveries: [
        { channel: 'email', status: 'accepted' },
        { channel: 'sms', status: 'accepted' },
      ],
    });
    expect(response.headers['location']).toBe(`/v1/messages/${accepted.id}`);
    // Acknowledged by Kafka before the answer: the record is already there.
    expect(await topicRecordCount(kafka, northTopic)).toBe(before + 1);
    const records = await readTopic(kafka, northTopic, before + 1);
    const record = records.find((r) => r.key === accepted.id);
    const event = JSON.parse(record?.value?.toString('utf8') ?? '{}') as MessageAcceptedEvent;
    expect(event).toMatchObject({ v: 1, kind: 'message.accepted', messageId: accepted.id, client: 'default', request: body });
  });

  const valid = northRequest();
  const cases: Array<[name: string, status: number, payload: unknown, errors: Array<{ field: string; message: string }> | undefined, code: string]> = [
    ['malformed JSON', 400, '{"to": {', undefined, 'HERALD_ERR_MALFORMED_JSON'],
    ['an empty body', 400, '', undefined, 'HERALD_ERR_MALFORMED_JSON'],
    ['a body that is not an object', 400, '[1,2]', [{ field: '/', message: 'must be an object' }], 'HERALD_ERR_VALIDATION'],
    ['a missing recipient for email', 400, { ...valid, to: { phone: '+447700900123' } }, [{ field: '/to/email', message: 'is required' }], 'HERALD_ERR_VALIDATION'],
    ['missing content for sms', 400, { ...valid, sms: undefined }, [{ field: '/sms', message: 'is required' }], 'HERALD_ERR_VALIDATION'],
    ['an invalid email address', 400, { ...valid, to: { ...valid.to, email: 'ada@' } }, [{ field: '/to/email', message: 'must be a valid email address' }], 'HERALD_ERR_VALIDATION'],
    ['a phone number not in E.164', 400, { ...valid, to: { ...valid.to, phone: '07700 900123' } }, [{ field: '/to/phone', message: 'must be a phone number in E.164 form, e.g. +447700900123' }], 'HERALD_ERR_VALIDATION'],
    ['an unknown channel', 400, { ...valid, channels: ['pigeon'] }, [{ field: '/channels/0', message: 'must be one of: email, sms' }], 'HERALD_ERR_VALIDATION'],
    ['CR/LF in a subject', 400, { ...valid, email: { ...valid.email, subject: 'Hi\r\nBcc: all@example.com' } }, [{ field: '/email/subject', message: 'must be one line: no CR, LF or other control characters' }], 'HERALD_ERR_VALIDATION'],
    ['an unknown field', 400, { ...valid, urgency: 1 }, [{ field: '/urgency', message: 'is not an allowed field' }], 'HERALD_ERR_VALIDATION'],
    ['a __proto__ key', 400, '{"__proto__": {"admin": true}, "to": {}}', undefined, 'HERALD_ERR_MALFORMED_JSON'],
    ['an oversized body', 413, { ...valid, email: { ...valid.email, text: 'x'.repeat(70 * 1024) } }, undefined, 'HERALD_ERR_PAYLOAD_TOO_LARGE'],
  ];

  it.each(cases)('refuses %s with a %i problem (naming the field where there is one) and sends nothing', async (_name, status, payload, errors, code) => {
    const before = await topicRecordCount(kafka, northTopic);
    const response = await post(payload);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ status, code, type: expect.stringContaining('https://herald.dev/problems/'), title: expect.any(String), instance: '/v1/North' });
    if (errors) expect(problem.errors).toEqual(expect.arrayContaining(errors));
    expect(await topicRecordCount(kafka, northTopic)).toBe(before);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'HERALD_ERR_UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('text/plain') });
  });

  it('refuses an Idempotency-Key with control characters', async () => {
    const response = await post(northRequest(), { 'idempotency-key': 'bad key with spaces' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: '/headers/idempotency-key', message: 'must contain only visible ASCII characters' }]);
  });
});

describe('GET /v1/messages/:id', () => {
  it('answers 404 as problem+json for an unknown id', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/messages/01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, code: 'HERALD_ERR_MESSAGE_NOT_FOUND' });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/messages/not-a-uuid' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: '/params/id', message: 'must be a UUID' }]);
  });

  it('answers 404 as problem+json for an unknown route', async () => {
    const response = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'HERALD_ERR_NOT_FOUND' });
  });
});

describe('operations', () => {
  it('serves the OpenAPI document with the request and response schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const north = doc.paths['/v1/North'].post;
    expect(north.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['to', 'channels']));
    expect(Object.keys(north.responses)).toEqual(expect.arrayContaining(['202', '400', '413', '415', '503']));
    expect(doc.paths['/v1/messages/{id}'].get.responses['200']).toBeDefined();
  });

  it('reports liveness and readiness', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', pid: process.pid });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.database.ok).toBe(true);
  });
});
