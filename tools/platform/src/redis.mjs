// @ts-check
/**
 * Redis for BullMQ: reuse the one answering on 127.0.0.1:port, or start redis-server (installing
 * the Debian package when it is absent). Talks to it with ioredis, the client the services use.
 */
import path from 'node:path';
import { Redis, ReplyError } from 'ioredis';
import { localPath } from './paths.mjs';
import { ensureDaemon, isPortOpen, runningPidFromFile, stopPidFile } from '@herald/process';
import { aptInstall, commandExists } from './system.mjs';

/** @typedef {(line: string) => void} LogFn */

/**
 * Connect (no retries, no offline queue), run `use`, and close the connection whatever happened.
 * @template T
 * @param {{ port?: number, host?: string, timeoutMs?: number, password?: string }} options
 * @param {(redis: Redis) => Promise<T>} use
 * @returns {Promise<T>}
 */
async function withRedis({ port = 6379, host = '127.0.0.1', timeoutMs = 2000, password }, use) {
  const redis = new Redis({
    host,
    port,
    password,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Failures reach the caller through connect() and the commands; the event would only repeat them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    // Not after a failed connect: its socket is closed already, and ioredis would keep a 2 s
    // timer waiting for that socket to close again.
    if (redis.status !== 'end') redis.disconnect();
  }
}

/**
 * Send one command to Redis and read its reply (string, integer, null or array of those, as
 * ioredis returns them). Resolves Redis errors as Error values; rejects on connection problems.
 * @param {object} options
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @param {number} [options.timeoutMs]
 * @param {string} [options.password] sent with AUTH first when given
 * @param {...string} args
 * @returns {Promise<unknown>}
 */
export function redisCommand(options, ...args) {
  const [command = 'PING', ...rest] = args;
  return withRedis(options, (redis) =>
    redis.call(command, rest).catch((/** @type {unknown} */ err) => {
      if (err instanceof ReplyError) return /** @type {Error} */ (err);
      throw err;
    }),
  );
}

/**
 * Whether Redis answers PING with PONG on host:port.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @param {string} [options.password]
 * @returns {Promise<boolean>}
 */
export async function redisAnswers({ port = 6379, host = '127.0.0.1', password } = {}) {
  try {
    return (await redisCommand({ port, host, password, timeoutMs: 1000 }, 'PING')) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * @typedef {object} RedisHandle
 * @property {string} url e.g. redis://127.0.0.1:6379
 * @property {string} host
 * @property {number} port
 * @property {boolean} startedByUs
 * @property {number | null} pid pid of the redis-server this tooling started (now or earlier), else null
 * @property {string | null} version redis_version from INFO server
 * @property {string | null} maxmemoryPolicy CONFIG GET maxmemory-policy (BullMQ needs 'noeviction')
 * @property {() => Promise<void>} stop stops it when startedByUs, else does nothing
 */

/** @param {number} port */
const redisPidFile = (port) => path.join(localPath('redis'), `redis-${port}.pid`);

/**
 * The pid of the redis-server this tooling started on `port`, while it runs; else null.
 * @param {number} [port]
 */
export const runningRedisPid = (port = 6379) => runningPidFromFile(redisPidFile(port), 'redis-server');

/**
 * Make sure Redis answers on 127.0.0.1:port. When nothing answers, start
 * `redis-server --bind 127.0.0.1 --port <port> --save "" --appendonly no` detached (with
 * noeviction, a pid file and a log file under .local/redis/), installing the Debian package
 * redis-server first when the binary is absent.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.password] for a Redis that requires AUTH (only used to talk to it)
 * @param {LogFn} [options.log]
 * @returns {Promise<RedisHandle>}
 */
export async function ensureRedis({ port = 6379, password, log = console.log } = {}) {
  const host = '127.0.0.1';
  const dir = localPath('redis');
  const { pid, startedByUs } = await ensureDaemon({
    name: 'redis',
    pidFile: redisPidFile(port),
    logFile: path.join(dir, `redis-${port}.log`),
    lockFile: path.join(dir, `redis-${port}.lock`),
    match: 'redis-server',
    answers: () => redisAnswers({ port, host, password }),
    // A fresh Debian install may start its own service on 6379: then that one is used.
    prepare: async () => {
      if (!commandExists('redis-server')) await aptInstall(['redis-server'], (l) => log(`redis: ${l}`));
    },
    conflict: async () => ((await isPortOpen({ host, port })) ? `port ${port} on ${host} is taken by something that does not answer PING (a Redis with a password? give it)` : null),
    command: async () => {
      log(`redis: starting redis-server on ${host}:${port}`);
      return { command: 'redis-server', args: ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir] };
    },
    timeoutMs: 15_000,
    log,
  });
  const { info, policyReply } = await withRedis({ port, host, password }, async (redis) => ({
    info: await redis.info('server'),
    policyReply: await redis.config('GET', 'maxmemory-policy'),
  }));
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? null;
  const maxmemoryPolicy = Array.isArray(policyReply) && typeof policyReply[1] === 'string' ? policyReply[1] : null;
  if (maxmemoryPolicy !== null && maxmemoryPolicy !== 'noeviction') {
    log(`redis: warning: maxmemory-policy is ${maxmemoryPolicy}; BullMQ queues need noeviction (CONFIG SET maxmemory-policy noeviction)`);
  }
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    startedByUs,
    pid,
    version,
    maxmemoryPolicy,
    stop: async () => {
      if (startedByUs) await stopRedis({ port });
    },
  };
}

/**
 * Stop the redis-server that this tooling started on `port` (found through .local/redis/redis-<port>.pid).
 * Never touches a Redis started some other way.
 * @param {object} [options]
 * @param {number} [options.port]
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopRedis({ port = 6379 } = {}) {
  return stopPidFile(redisPidFile(port), { graceMs: 10_000, expect: 'redis-server' });
}
