/**
 * Failure test: the services start before Kafka does (a cluster restart, a broker being replaced).
 * They stay up, alive but not ready, saying why; once the broker answers they become ready by
 * themselves and a message goes through.
 */
import { join } from 'node:path';
import { ManagedProcess, OwnKafka, backingServices, createHeraldTopics, createTestDatabase, freePort, northRequest, repoRoot, startMaildev, uniqueName, waitFor, type Maildev, type TestDatabase } from '@herald/testing';

const apps = ['ingest-api', 'kafka-bridge', 'email-worker'] as const;
let kafka: OwnKafka;
let database: TestDatabase;
let maildev: Maildev;
const processes = new Map<string, { process: ManagedProcess; port: number }>();

beforeAll(async () => {
  const services = await backingServices();
  kafka = new OwnKafka(await freePort(), await freePort());
  database = await createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate });
  maildev = await startMaildev('failure-kafka-late');
  const prefix = uniqueName('late');
  for (const app of apps) {
    const port = await freePort();
    const process = new ManagedProcess({
      name: app,
      args: [join(repoRoot, 'apps', app, 'dist', 'main.js')],
      env: {
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        REDIS_URL: services.redisUrl,
        QUEUE_PREFIX: `herald-${prefix}`,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'warn',
        ...(app === 'ingest-api' ? { PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: '1', AUTH_DISABLED: 'true' } : { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' }),
        ...(app === 'email-worker' ? { SMTP_URL: maildev.smtpUrl } : {}),
      },
      // Alive is all we can wait for: Kafka is not there yet.
      readyUrl: `http://127.0.0.1:${port}/healthz`,
      logGroup: 'failure-kafka-late',
    });
    processes.set(app, { process, port });
  }
  await Promise.all([...processes.values()].map(({ process }) => process.start()));
  (globalThis as { lateTopicPrefix?: string }).lateTopicPrefix = prefix;
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([...processes.values()].map(({ process }) => process.stop()));
  await maildev?.process.stop();
  await database?.drop();
  await kafka?.purge();
}, 120_000);

const readiness = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> } };
};

it('starts without Kafka, reports not ready, and becomes ready and delivers once Kafka is there', async () => {
  for (const [app, { process, port }] of processes) {
    expect([app, process.running]).toEqual([app, true]);
    const r = await readiness(port);
    expect([app, r.status, r.body.checks['kafka']?.ok]).toEqual([app, 503, false]);
  }

  await kafka.start();
  const prefix = (globalThis as { lateTopicPrefix?: string }).lateTopicPrefix ?? '';
  await createHeraldTopics(kafka.brokers, prefix, 1);
  for (const [app, { port }] of processes) {
    await waitFor(`${app} ready`, async () => (await readiness(port)).status === 200, { timeoutMs: 90_000, intervalMs: 500 });
  }

  const ingest = processes.get('ingest-api');
  const request = northRequest({ channels: ['email'], sms: undefined });
  const answer = await fetch(`http://127.0.0.1:${ingest?.port}/v1/North`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, to: { email: request.to.email } }),
  });
  expect(answer.status).toBe(202);
  await waitFor('the email', async () => (await maildev.client.emails({ 'to.address': request.to.email ?? '' })).length === 1, { timeoutMs: 30_000, intervalMs: 250 });
}, 300_000);
