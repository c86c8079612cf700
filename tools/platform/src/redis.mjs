// @ts-check
/**
 * Redis for BullMQ: reuse the one answering on 127.0.0.1:port, or start redis-server (installing
 * the Debian package when it is absent). Talks RESP over a raw socket: no Redis client needed.
 */
import net from 'node:net';
import path from 'node:path';
import { localPath } from './paths.mjs';
import { aptInstall, commandExists, run, runningPidFromFile, stopPidFile, waitFor, withLock } from './process-utils.mjs';

/** @typedef {(line: string) => void} LogFn */
/** @typedef {string | number | null | Error | RespArray} RespValue */
/** @typedef {Array<RespValue>} RespArray */

/**
 * Send one command to Redis and read one reply (simple string, error, integer, bulk string, or
 * array of those). Resolves Redis errors as Error values; rejects on connection problems.
 * @param {object} options
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @param {number} [options.timeoutMs]
 * @param {string} [options.password] sent with AUTH first when given
 * @param {...string} args
 * @returns {Promise<RespValue>}
 */
export function redisCommand({ port = 6379, host = '127.0.0.1', timeoutMs = 2000, password }, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    const replies = password ? 2 : 1;
    /** @type {RespValue[]} */
    const got = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`redis ${host}:${port}: no reply within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const parsed = parseResp(buf, 0);
        if (!parsed) return;
        got.push(parsed.value);
        buf = buf.subarray(parsed.end);
        if (got.length === replies) {
          socket.end();
          const authReply = password ? got[0] : null;
          if (authReply instanceof Error) resolve(authReply);
          else resolve(got[got.length - 1] ?? null);
          return;
        }
      }
    });
    socket.once('connect', () => {
      if (password) socket.write(encodeResp(['AUTH', password]));
      socket.write(encodeResp(args));
    });
  });
}

/**
 * @param {string[]} args
 * @returns {string}
 */
function encodeResp(args) {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * @param {Buffer} buf
 * @param {number} start
 * @returns {{ value: RespValue, end: number } | null} null when incomplete
 */
function parseResp(buf, start) {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[start] ?? 0);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      /** @type {RespValue[]} */
      const items = [];
      let pos = next;
      for (let i = 0; i < n; i++) {
        const item = parseResp(buf, pos);
        if (!item) return null;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
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

/**
 * Make sure Redis answers on 127.0.0.1:port. When nothing answers, start
 * `redis-server --daemonize yes --bind 127.0.0.1 --port <port> --save "" --appendonly no`
 * (with noeviction, a pid file and a log file under .local/redis/), installing the Debian
 * package redis-server first when the binary is absent.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.password] for a Redis that requires AUTH (only used to talk to it)
 * @param {LogFn} [options.log]
 * @returns {Promise<RedisHandle>}
 */
export async function ensureRedis({ port = 6379, password, log = console.log } = {}) {
  const lock = path.join(localPath('redis'), `redis-${port}.lock`);
  return withLock(lock, () => ensureLocked({ port, password, log }), { log: (l) => log(`redis: ${l}`) });
}

/**
 * @param {{ port: number, password: string | undefined, log: LogFn }} o
 * @returns {Promise<RedisHandle>}
 */
async function ensureLocked({ port, password, log }) {
  const host = '127.0.0.1';
  const dir = localPath('redis');
  const pidFile = path.join(dir, `redis-${port}.pid`);
  const ownPid = runningPidFromFile(pidFile, 'redis-server');
  let startedByUs = false;
  /** @type {number | null} */
  let pid = ownPid;

  if (!(await redisAnswers({ port, host, password }))) {
    if (ownPid !== null) {
      log(`redis: redis-server started earlier (pid ${ownPid}) does not answer yet; waiting`);
    } else {
      if (!commandExists('redis-server')) await aptInstall(['redis-server'], (l) => log(`redis: ${l}`));
      // A fresh Debian install may have started its own service on 6379 already.
      if (!(await redisAnswers({ port, host, password }))) {
        const logFile = path.join(dir, `redis-${port}.log`);
        log(`redis: starting redis-server on ${host}:${port}`);
        const result = await run('redis-server', [
          '--daemonize', 'yes',
          '--bind', host,
          '--port', String(port),
          '--save', '',
          '--appendonly', 'no',
          '--maxmemory-policy', 'noeviction',
          '--pidfile', pidFile,
          '--logfile', logFile,
          '--dir', dir,
        ]);
        if (result.code !== 0) throw new Error(`redis: redis-server failed to start (exit ${result.code}):\n${result.output}`);
        startedByUs = true;
      }
    }
    await waitFor(() => redisAnswers({ port, host, password }), {
      what: `Redis on ${host}:${port}`,
      timeoutMs: 15_000,
      log: (l) => log(`redis: ${l}`),
    });
    pid = runningPidFromFile(pidFile, 'redis-server');
  }

  const info = await redisCommand({ port, host, password }, 'INFO', 'server');
  const version = typeof info === 'string' ? (/redis_version:(\S+)/.exec(info)?.[1] ?? null) : null;
  const policyReply = await redisCommand({ port, host, password }, 'CONFIG', 'GET', 'maxmemory-policy');
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
  return stopPidFile(path.join(localPath('redis'), `redis-${port}.pid`), { graceMs: 10_000, expect: 'redis-server' });
}
