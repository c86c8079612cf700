/**
 * The cluster primary as a real process: WEB_CONCURRENCY workers share the port; a worker killed
 * with SIGKILL is replaced; SIGTERM drains every worker and the primary exits 0.
 */
import { join } from 'node:path';
import { ensureTopics, deleteTopics, heraldTopicSpecs } from '@herald/kafka';
import { ManagedProcess, backingServices, freePort, repoRoot, testKafka, uniqueName, waitFor } from '@herald/testing';
import { createTestDatabase, type TestDatabase } from '@herald/tracking/testing';

let ingest: ManagedProcess;
let database: TestDatabase;
let prefix: string;
let url: string;

/** The pid of the worker process that answers a fresh connection. */
async function answeringPid(): Promise<number> {
  const response = await fetch(`${url}/healthz`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(2_000) });
  return ((await response.json()) as { pid: number }).pid;
}

async function pidsSeen(atLeast: number, exclude: number[] = []): Promise<Set<number>> {
  const seen = new Set<number>();
  await waitFor(`${atLeast} worker pids answering`, async () => {
    const pid = await answeringPid();
    if (!exclude.includes(pid)) seen.add(pid);
    return seen.size >= atLeast;
  }, { timeoutMs: 20_000, intervalMs: 10 });
  return seen;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const services = await backingServices();
  prefix = uniqueName('cluster');
  await ensureTopics(testKafka(services.kafkaBrokers), heraldTopicSpecs(prefix, 1));
  database = await createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  ingest = new ManagedProcess({
    name: 'ingest-api-cluster',
    args: [join(repoRoot, 'apps/ingest-api/dist/main.js')],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '2',
      RESTART_BACKOFF_MS: '100',
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: database.url,
      AUTH_DISABLED: 'true',
      SHUTDOWN_GRACE_MS: '10000',
    },
    readyUrl: `${url}/readyz`,
    logGroup: 'ingest-api-cluster',
  });
  await ingest.start();
}, 60_000);

afterAll(async () => {
  await ingest?.kill();
  await database?.drop();
  const services = await backingServices();
  await deleteTopics(testKafka(services.kafkaBrokers), heraldTopicSpecs(prefix).map((t) => t.topic));
});

describe('ingest-api cluster primary', () => {
  it('runs WEB_CONCURRENCY worker processes behind one port, none of them the primary', async () => {
    const pids = await pidsSeen(2);
    expect(pids.size).toBe(2);
    expect(pids.has(ingest.pid ?? -1)).toBe(false);
  }, 30_000);

  it('replaces a worker killed with SIGKILL, and keeps serving meanwhile', async () => {
    const before = [...(await pidsSeen(2))];
    const victim = before[0] as number;
    process.kill(victim, 'SIGKILL');
    await waitFor('the killed worker to be gone', () => !alive(victim), { timeoutMs: 5_000, intervalMs: 20 });
    // The survivor keeps answering, and a new worker joins it.
    const after = await pidsSeen(2, [victim]);
    expect(after.has(victim)).toBe(false);
    expect(after.has(before[1] as number)).toBe(true);
    expect([...after].some((pid) => !before.includes(pid))).toBe(true);
    expect(ingest.running).toBe(true);
  }, 30_000);

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workers = [...(await pidsSeen(2))];
    const code = await ingest.stop(15_000);
    expect(code).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
  }, 30_000);
});
