/**
 * Idempotency-Key and API clients through buildApp() with real Kafka, Redis and PostgreSQL: a
 * repeat answers the original 202 and publishes nothing; another body is refused; keys and
 * message reads are per client.
 */
import { createHash } from 'node:crypto';
import { northRequest, topicRecordCount, uniqueName } from '@herald/testing';
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
let t: TestApp;
let app: App;

beforeAll(async () => {
  t = await startTestApp({ name: 'idem', env: { API_KEYS: `acme:${ACME},globex:${GLOBEX}` } });
  app = t.app;
});
afterAll(async () => {
  await t?.close();
});

const post = (payload: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });
const as = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

describe('API clients', () => {
  it('refuses a request without a valid API key with 401, and sends nothing', async () => {
    const before = await topicRecordCount(t.kafka, t.northTopic);
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-key-0123456789' }, { authorization: `Basic ${ACME}` }];
    for (const headers of attempts) {
      const response = await post(northRequest(), headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ code: 'HERALD_ERR_UNAUTHORIZED' });
    }
    expect(await topicRecordCount(t.kafka, t.northTopic)).toBe(before);
  });

  it('leaves health and docs open', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it("shows a client only its own messages", async () => {
    const accepted = (await post(northRequest(), as(ACME))).json();
    const message = {
      v: 1 as const,
      kind: 'message.accepted' as const,
      messageId: accepted.id as string,
      acceptedAt: new Date().toISOString(),
      client: 'acme',
      request: northRequest(),
    };
    await t.tracking.recordAccepted([message]);
    expect((await app.inject({ method: 'GET', url: `/v1/messages/${accepted.id}`, headers: as(ACME) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/messages/${accepted.id}`, headers: as(GLOBEX) })).statusCode).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeat with the original 202 (Idempotent-Replayed) and publishes nothing new', async () => {
    const key = uniqueName('order');
    const body = northRequest();
    const before = await topicRecordCount(t.kafka, t.northTopic);
    const first = await post(body, as(ACME, { 'idempotency-key': key }));
    const second = await post(body, as(ACME, { 'idempotency-key': key }));
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await topicRecordCount(t.kafka, t.northTopic)).toBe(before + 1);
  });

  it('refuses the same key with a different body with 422', async () => {
    const key = uniqueName('order');
    await post(northRequest(), as(ACME, { 'idempotency-key': key }));
    const response = await post(northRequest(), as(ACME, { 'idempotency-key': key }));
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'HERALD_ERR_IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers many concurrent requests with one key with one message', async () => {
    const key = uniqueName('burst');
    const body = northRequest();
    const before = await topicRecordCount(t.kafka, t.northTopic);
    const answers = await Promise.all(Array.from({ length: 25 }, () => post(body, as(ACME, { 'idempotency-key': key }))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(25).fill(202));
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(24);
    expect(await topicRecordCount(t.kafka, t.northTopic)).toBe(before + 1);
  });

  it('keeps keys apart per client', async () => {
    const key = uniqueName('shared');
    const body = northRequest();
    const a = (await post(body, as(ACME, { 'idempotency-key': key }))).json();
    const b = (await post(body, as(GLOBEX, { 'idempotency-key': key }))).json();
    expect(a.id).not.toBe(b.id);
  });

  it('remembers a key for at least 24 hours', async () => {
    const key = uniqueName('ttl');
    expect((await post(northRequest(), as(ACME, { 'idempotency-key': key }))).statusCode).toBe(202);
    // The record of exactly this key (stored under the SHA-256 of the key): -2 if it were missing.
    const record = `${t.config.REDIS_PREFIX}:idempotency:acme:${createHash('sha256').update(key).digest('hex')}`;
    expect(await t.redis.ttl(record)).toBeGreaterThan(86_400 - 60);
  });
});
