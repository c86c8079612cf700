/**
 * FairShare against a real Redis: priorities interleave clients, finished jobs lower their
 * client's counter in one gathered round trip, a counter that drifted below zero heals to 0.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@herald/runtime';
import { FairShare, createRedis, waitUntilReady } from '../src';

// The platform's Redis (npm test starts it), as libs/tracking's tests use its PostgreSQL.
const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

const logger = createLogger({ service: 'fair-share-test', level: 'silent' });
let redis: ReturnType<typeof createRedis>;
let prefix: string;

beforeAll(async () => {
  redis = createRedis(redisUrl, 'producer', logger);
  await waitUntilReady(redis);
  prefix = `test-fair-${randomUUID()}`;
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const counter = async (queue: string, client: string) => Number(await redis.get(`${prefix}:fair:${queue}:${client}`));

describe('FairShare', () => {
  it('gives each client its own positions, so clients interleave; high priority goes first', async () => {
    const fair = new FairShare(redis, prefix);
    const priorities = await fair.priorities('q1', [
      { client: 'a', high: false },
      { client: 'a', high: false },
      { client: 'b', high: false },
      { client: 'a', high: true },
      { client: 'a', high: false },
    ]);
    expect(priorities).toEqual([2, 3, 2, 1, 4]);
    expect(await counter('q1', 'a')).toBe(3);
    expect(await counter('q1', 'b')).toBe(1);
  });

  it('lowers the counters of finished jobs, gathered into one round trip', async () => {
    const fair = new FairShare(redis, prefix, { flushMs: 50 });
    await fair.priorities('q2', [
      { client: 'a', high: false },
      { client: 'a', high: false },
      { client: 'a', high: false },
      { client: 'b', high: false },
      { client: 'b', high: false },
    ]);
    const before = Number((await redis.info('commandstats')).match(/cmdstat_eval:calls=(\d+)/)?.[1] ?? 0);
    await Promise.all([fair.done('q2', 'a'), fair.done('q2', 'a'), fair.done('q2', 'b'), fair.done('q2', 'a', 1)]);
    const after = Number((await redis.info('commandstats')).match(/cmdstat_eval:calls=(\d+)/)?.[1] ?? 0);
    expect(await counter('q2', 'a')).toBe(0);
    expect(await counter('q2', 'b')).toBe(1);
    // Other tests may share this Redis: at most a few other EVALs, never one per job here.
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThan(4);
  });

  it('resets a counter that would go below zero, with an expiry, and flush() sends what is gathered at once', async () => {
    const fair = new FairShare(redis, prefix, { flushMs: 60_000 });
    await fair.priorities('q3', [{ client: 'c', high: false }]);
    const done = fair.done('q3', 'c', 5);
    await fair.flush();
    await done;
    expect(await counter('q3', 'c')).toBe(0);
    expect(await redis.ttl(`${prefix}:fair:q3:c`)).toBeGreaterThan(0);
  });

  it('rejects the callers of a round trip that failed', async () => {
    const closed = createRedis(redisUrl, 'producer', logger);
    await waitUntilReady(closed);
    await closed.quit();
    const fair = new FairShare(closed, prefix);
    const done = fair.done('q4', 'd');
    await fair.flush();
    await expect(done).rejects.toThrow();
  });
});
