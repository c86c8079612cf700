// @ts-check
/**
 * Redis for BullMQ: the one answering on 127.0.0.1:6379, or redis-server started by the platform
 * (the Debian package installed first when it is absent; a service the install starts is used).
 * Talks to it with ioredis, the client the services use.
 */
import { Redis } from 'ioredis';
import { isPortOpen } from '@herald/process';
import { daemonService } from './daemon.mjs';
import { aptInstall, commandExists } from './system.mjs';

/**
 * Redis's version and eviction policy when it answers PING on 127.0.0.1:port, else null.
 * @param {number} port
 * @returns {Promise<{ version: string, policy: string } | null>}
 */
async function redisAnswers(port) {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // Failures reach us through connect() and the commands; the event would only repeat them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') return null;
    const info = await redis.info('server');
    const policy = await redis.config('GET', 'maxmemory-policy');
    return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', policy: Array.isArray(policy) ? String(policy[1]) : '?' };
  } catch {
    return null;
  } finally {
    // Not after a failed connect: ioredis would keep a timer waiting for a closed socket to close.
    if (redis.status !== 'end') redis.disconnect();
  }
}

const port = 6379;
export const redis = daemonService({
  name: 'redis',
  port,
  scheme: 'redis',
  match: 'redis-server',
  answers: () => redisAnswers(port),
  prepare: async (log) => {
    if (!commandExists('redis-server')) await aptInstall(['redis-server'], (l) => log(`redis: ${l}`));
  },
  conflict: async () => ((await isPortOpen({ port })) ? `port ${port} on 127.0.0.1 is taken by something that does not answer PING (a Redis with a password?)` : null),
  command: async (log, dir) => {
    log(`redis: starting redis-server on 127.0.0.1:${port}`);
    return { command: 'redis-server', args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir] };
  },
  timeoutMs: 15_000,
  graceMs: 10_000,
  describe: ({ version, policy }, log) => {
    if (policy !== 'noeviction') log(`redis: warning: maxmemory-policy is ${policy}; BullMQ queues need noeviction (CONFIG SET maxmemory-policy noeviction)`);
    return `redis ${version}, maxmemory-policy ${policy}`;
  },
});
