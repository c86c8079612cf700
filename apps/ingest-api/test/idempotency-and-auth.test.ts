/**
 * Idempotency-Key and API clients through buildApp() with real Kafka, Redis and PostgreSQL: a
 * repeat answers the original 202 and publishes nothing; another body is refused; keys and
 * message reads are per client.
 */
import { Topics, topicName } from '@herald/contracts';
import { BatchingProducer, deleteTopics, ensureTopics, heraldTopicSpecs, type Kafka } from '@herald/kafka';
import { createRedis } from '@herald/queues';
import { Health, createLogger } from '@herald/runtime';
import { backingServices, northRequest, testKafka, topicRecordCount, uniqueName } from '@herald/testing';
import { ReplayRepository, TrackingService, createPrismaClient } from '@herald/tracking';
import { createTestDatabase, type TestDatabase } from '@herald/tracking/testing';
import { buildApp, type App } from '../src/app';
import { parseApiKeys } from '../src/plugins/auth';
import { RedisIdempotencyStore } from '../src/services/idempotency-store';
import { KafkaNorthPublisher } from '../src/services/kafka-publisher';

const logger = createLogger({ service: 'idempotency-test', level: 'silent' });
const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
let app: App;
let kafka: Kafka;
let producer: BatchingProducer;
let redis: ReturnType<typeof createRedis>;
let database: TestDatabase;
let prisma: ReturnType<typeof createPrismaClient>;
let tracking: TrackingService;
let prefix: string;

beforeAll(async () => {
  const services = await backingServices();
  prefix = uniqueName('idem');
  kafka = testKafka(services.kafkaBrokers);
  await ensureTopics(kafka, heraldTopicSpecs(prefix, 1));
  producer = new BatchingProducer(kafka, { logger });
  await producer.connect();
  redis = createRedis(services.redisUrl, 'producer', logger);
  database = await createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate });
  prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 2 });
  tracking = new TrackingService(prisma, logger);
  app = await buildApp({
    logger,
    publisher: new KafkaNorthPublisher(producer, prefix),
    reader: tracking,
    failed: new ReplayRepository(prisma),
    health: new Health(),
    bodyLimit: 1_048_576,
    idempotency: new RedisIdempotencyStore(redis, 86_400, `herald:idempotency:${prefix}`),
    apiKeys: parseApiKeys(`acme:${ACME},globex:${GLOBEX}`),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await producer?.close();
  await redis?.quit();
  await prisma?.$disconnect();
  await database?.drop();
  await deleteTopics(kafka, heraldTopicSpecs(prefix).map((t) => t.topic));
});

const north = () => topicName(Topics.North, prefix);
const post = (payload: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/v1/North', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });
const as = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

describe('API clients', () => {
  it('refuses a request without a valid API key with 401, and sends nothing', async () => {
    const before = await topicRecordCount(kafka, north());
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-key-0123456789' }, { authorization: `Basic ${ACME}` }];
    for (const headers of attempts) {
      const response = await post(northRequest(), headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ code: 'HERALD_ERR_UNAUTHORIZED' });
    }
    expect(await topicRecordCount(kafka, north())).toBe(before);
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
    await tracking.recordAccepted([message]);
    expect((await app.inject({ method: 'GET', url: `/v1/messages/${accepted.id}`, headers: as(ACME) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/messages/${accepted.id}`, headers: as(GLOBEX) })).statusCode).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeat with the original 202 (Idempotent-Replayed) and publishes nothing new', async () => {
    const key = uniqueName('order');
    const body = northRequest();
    const before = await topicRecordCount(kafka, north());
    const first = await post(body, as(ACME, { 'idempotency-key': key }));
    const second = await post(body, as(ACME, { 'idempotency-key': key }));
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await topicRecordCount(kafka, north())).toBe(before + 1);
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
    const before = await topicRecordCount(kafka, north());
    const answers = await Promise.all(Array.from({ length: 25 }, () => post(body, as(ACME, { 'idempotency-key': key }))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(25).fill(202));
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(24);
    expect(await topicRecordCount(kafka, north())).toBe(before + 1);
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
    await post(northRequest(), as(ACME, { 'idempotency-key': key }));
    const keys = await redis.keys(`herald:idempotency:${prefix}:acme:*`);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    expect(Math.min(...ttls)).toBeGreaterThan(86_400 - 60);
  });
});
