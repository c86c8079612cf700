/**
 * /v1/webhooks through buildApp() with real PostgreSQL, Redis and Kafka, and a DNS server of the
 * test's own for target names: what a client may register, that it sees only its own endpoints,
 * that the secret is shown once and sealed at rest, that tests and replays land in the
 * WebhookQueue, and the OpenAPI document with its webhooks section. (Sending is the
 * webhook-worker's, tested there as real processes.)
 */
import { randomBytes } from 'node:crypto';
import { Queues, type WebhookCreated } from '@herald/contracts';
import { createQueue, deliveryJobOptions } from '@herald/queues';
import { TestDnsServer } from '@herald/testing';
import { createDatabase } from '@herald/tracking';
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
let t: TestApp;
let app: App;
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await TestDnsServer.start();
  dns.set('hooks.acme.example', { a: ['93.184.215.14'] });
  dns.set('internal.acme.example', { a: ['10.20.30.40'] });
  t = await startTestApp({
    name: 'webhooks-api',
    env: { API_KEYS: `acme:${ACME},globex:${GLOBEX}`, WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'), WEBHOOK_DNS_SERVERS: dns.address, QUEUE_PREFIX: `herald-test-wh-${randomBytes(4).toString('hex')}` },
  });
  app = t.app;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await dns?.stop();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key = ACME, payload?: unknown) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

async function create(body: Record<string, unknown> = {}, key = ACME): Promise<WebhookCreated> {
  const answer = await call('POST', '/v1/webhooks', key, { url: 'https://hooks.acme.example/herald', ...body });
  expect(answer.statusCode).toBe(201);
  return answer.json() as WebhookCreated;
}

describe('/v1/webhooks', () => {
  it('registers an endpoint, shows its secret once, and keeps it sealed at rest', async () => {
    const created = await create({ description: 'orders', eventTypes: ['delivery.sent', 'delivery.failed'] });
    expect(created).toMatchObject({ url: 'https://hooks.acme.example/herald', description: 'orders', eventTypes: ['delivery.sent', 'delivery.failed'], enabled: true, disabledReason: null, failingSince: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await call('GET', `/v1/webhooks/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('secret');
    expect((await call('GET', '/v1/webhooks')).body).not.toContain(created.secret.slice(6));
    const db = createDatabase({ databaseUrl: t.config.DATABASE_URL, poolSize: 1 });
    const { rows } = await db.sql.query<{ secret: string }>('SELECT secret FROM webhook_endpoints WHERE id = $1', [created.id]);
    await db.close();
    expect(rows[0]?.secret).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(rows[0]?.secret).not.toContain(created.secret.slice(6));
  });

  it('shows a client only its own endpoints: another client gets 404 for every operation', async () => {
    const mine = await create();
    expect(((await call('GET', '/v1/webhooks', GLOBEX)).json() as { items: unknown[] }).items).toEqual([]);
    for (const [method, url, body] of [
      ['GET', `/v1/webhooks/${mine.id}`, undefined],
      ['PATCH', `/v1/webhooks/${mine.id}`, { enabled: false }],
      ['DELETE', `/v1/webhooks/${mine.id}`, undefined],
      ['POST', `/v1/webhooks/${mine.id}/test`, undefined],
      ['POST', `/v1/webhooks/${mine.id}/rotate-secret`, undefined],
      ['GET', `/v1/webhooks/${mine.id}/attempts`, undefined],
      ['POST', `/v1/webhooks/${mine.id}/replay`, {}],
    ] as const) {
      const answer = await call(method, url, GLOBEX, body);
      expect([method, url, answer.statusCode, answer.json().code]).toEqual([method, url, 404, 'HERALD_ERR_WEBHOOK_NOT_FOUND']);
    }
    expect((await call('GET', `/v1/webhooks/${mine.id}`)).statusCode).toBe(200);
  });

  it('changes, disables and deletes an endpoint, checking a new URL as at registration', async () => {
    const created = await create();
    const changed = await call('PATCH', `/v1/webhooks/${created.id}`, ACME, { description: null, eventTypes: ['*'], enabled: false });
    expect(changed.json()).toMatchObject({ description: null, eventTypes: ['*'], enabled: false });
    const refused = await call('PATCH', `/v1/webhooks/${created.id}`, ACME, { url: 'https://internal.acme.example/x' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].message).toMatch(/resolves to 10\.20\.30\.40 is a private/);
    expect((await call('POST', `/v1/webhooks/${created.id}/test`)).statusCode).toBe(409);
    expect((await call('PATCH', `/v1/webhooks/${created.id}`, ACME, {})).statusCode).toBe(400);
    expect((await call('DELETE', `/v1/webhooks/${created.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/webhooks/${created.id}`)).statusCode).toBe(404);
  });

  it('refuses unknown event types and fields with 400', async () => {
    const answer = await call('POST', '/v1/webhooks', ACME, { url: 'https://hooks.acme.example/x', eventTypes: ['delivery.exploded'], secret: 'mine' });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['/eventTypes/0', '/secret']);
  });

  it('puts test events in the WebhookQueue with a fresh webhook-id, and answers 202', async () => {
    const created = await create();
    const answer = await call('POST', `/v1/webhooks/${created.id}/test`);
    expect(answer.statusCode).toBe(202);
    const { webhookId } = answer.json() as { webhookId: string };
    const queue = createQueue(Queues.Webhook, { connection: t.redis, prefix: t.config.QUEUE_PREFIX, defaultJobOptions: deliveryJobOptions() });
    const job = await queue.getJob(webhookId);
    await queue.obliterate({ force: true });
    await queue.close();
    expect(job?.data).toMatchObject({ webhookId, endpointId: created.id, client: 'acme', payload: { type: 'webhook.test', data: { endpointId: created.id } } });
  });

  it('rotates a secret (shown once), the previous one signing for 24 hours', async () => {
    const created = await create();
    const rotated = await call('POST', `/v1/webhooks/${created.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const body = rotated.json() as { secret: string; previousSecretExpiresAt: string };
    expect(body.secret).not.toBe(created.secret);
    expect(Math.abs(Date.parse(body.previousSecretExpiresAt) - Date.now() - 86_400_000)).toBeLessThan(60_000);
  });

  it('caps the endpoints of a client', async () => {
    const key = GLOBEX;
    const existing = ((await call('GET', '/v1/webhooks', key)).json() as { items: unknown[] }).items.length;
    for (let i = existing; i < 50; i += 1) await create({}, key);
    const over = await call('POST', '/v1/webhooks', key, { url: 'https://hooks.acme.example/x' });
    expect(over.statusCode).toBe(409);
    expect(over.json().code).toBe('HERALD_ERR_WEBHOOK_LIMIT');
  });

  it('documents every route and the payloads in the OpenAPI webhooks section', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/webhooks')).flatMap(([, methods]) => Object.values(methods));
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      ['createWebhook', 'deleteWebhook', 'getWebhook', 'listWebhookAttempts', 'listWebhooks', 'replayWebhookAttempt', 'replayWebhooks', 'rotateWebhookSecret', 'testWebhook', 'updateWebhook'].sort(),
    );
    for (const o of operations) expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(['401', '429']));
    expect(Object.keys(doc.webhooks).sort()).toEqual(['deliveryEvent', 'testEvent']);
    expect(Object.keys(doc.webhooks['deliveryEvent']?.post.requestBody.content['application/json']?.schema.properties ?? {})).toEqual(['type', 'timestamp', 'data']);
  });
});

describe('/v1/webhooks without WEBHOOK_SECRETS_KEY', () => {
  it('answers 503 with a problem naming the missing key', async () => {
    const plain = await startTestApp({ name: 'webhooks-nokey', env: { API_KEYS: `acme:${ACME}` } });
    try {
      const answer = await plain.app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: `Bearer ${ACME}`, 'content-type': 'application/json' }, payload: JSON.stringify({ url: 'https://hooks.acme.example/x' }) });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ code: 'HERALD_ERR_WEBHOOKS_UNAVAILABLE', detail: expect.stringMatching(/WEBHOOK_SECRETS_KEY/) });
    } finally {
      await plain.close();
    }
  }, 60_000);
});
