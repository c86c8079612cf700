/**
 * Redis for the ingest-api: Idempotency-Key records and rate-limit counters. Not a readiness
 * dependency: without Redis requests still go through (the derived message id keeps repeats from
 * being delivered twice, and rate limits fall back to a per-process limit). Closed on app.close().
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createRedis, type Redis } from '@herald/queues';
import type { Logger } from '@herald/runtime';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

async function redisPlugin(app: FastifyInstance, options: { url: string; logger: Logger }): Promise<void> {
  const redis = createRedis(options.url, 'request', options.logger);
  app.decorate('redis', redis);
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => undefined);
  });
}

export default fp(redisPlugin, { name: 'herald-redis', fastify: '5.x' });
