/**
 * Redis connections. Workers get a connection that waits for Redis forever (maxRetriesPerRequest
 * null, as BullMQ requires for blocking commands); producers get one that fails fast when Redis
 * is away, so that a caller (the bridge) does not commit work it could not hand over, and retries
 * later instead; request paths (the ingest-api's Idempotency-Key records) get one that queues a
 * command while connecting but gives up after a second, so that a request never waits long.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@herald/runtime';

export type RedisRole = 'worker' | 'producer' | 'request';

export function createRedis(url: string, role: RedisRole, logger: Logger): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : role === 'request' ? 1 : 3,
    enableOfflineQueue: role !== 'producer',
    ...(role === 'request' ? { commandTimeout: 1_000 } : {}),
    connectTimeout: 5_000,
    // Reconnect with capped exponential backoff, forever: Redis restarts must heal by themselves.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2_000),
    lazyConnect: false,
  };
  const redis = new Redis(url, options);
  const log = logger.child({ component: 'redis', role });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err }, 'Redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('Redis connection restored');
    down = false;
  });
  return redis;
}

/** Waits for a producer connection to be usable (with enableOfflineQueue off, commands fail until then). */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

export interface EvictionReport {
  policy: string;
  ok: boolean;
}

/**
 * BullMQ needs maxmemory-policy noeviction: with any other policy Redis may silently drop job
 * keys under memory pressure, which is message loss. Read from INFO (CONFIG is often disabled
 * on managed Redis).
 */
export async function checkEvictionPolicy(redis: Redis): Promise<EvictionReport> {
  const info = await redis.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
  return { policy, ok: policy === 'noeviction' };
}

export async function warnUnlessNoEviction(redis: Redis, logger: Logger): Promise<EvictionReport> {
  const report = await checkEvictionPolicy(redis);
  if (!report.ok) {
    logger.warn(
      { maxmemoryPolicy: report.policy },
      `Redis maxmemory-policy is ${report.policy}, not noeviction: under memory pressure Redis may evict queued jobs. Set maxmemory-policy noeviction.`,
    );
  }
  return report;
}
