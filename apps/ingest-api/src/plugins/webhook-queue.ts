/**
 * The WebhookQueue, for the jobs the API adds itself: test events and replays (the webhook-worker
 * adds the status events). A producer connection of its own that fails fast while Redis is away,
 * so that a test or replay answers 503 instead of hanging. Closed on app.close().
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Queues, type WebhookJob } from '@herald/contracts';
import { createQueue, createRedis, deliveryJobOptions } from '@herald/queues';
import type { Logger } from '@herald/runtime';
import { problems } from '../errors';
import type { WebhookJobSink } from '../services/webhook-service';

declare module 'fastify' {
  interface FastifyInstance {
    webhookJobs: WebhookJobSink;
  }
}

async function webhookQueuePlugin(app: FastifyInstance, options: { url: string; prefix: string; logger: Logger }): Promise<void> {
  const redis = createRedis(options.url, 'producer', options.logger);
  // The webhook-worker decides when a job has had all its calls (its schedule), as the channel workers do.
  const queue = createQueue<WebhookJob>(Queues.Webhook, { connection: redis, prefix: options.prefix, defaultJobOptions: deliveryJobOptions() });
  queue.on('error', (error) => options.logger.debug({ err: error }, 'webhook queue connection error'));
  app.decorate('webhookJobs', {
    async add(jobs) {
      if (jobs.length === 0) return;
      try {
        await queue.addBulk(jobs.map((j) => ({ name: j.data.payload.type, data: j.data, opts: { jobId: j.jobId } })));
      } catch (error) {
        options.logger.warn({ err: error }, 'could not add webhook jobs');
        throw problems.unavailable('The webhook queue is not reachable; nothing was queued. Retry.');
      }
    },
  } satisfies WebhookJobSink);
  app.addHook('onClose', async () => {
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  });
}

export default fp(webhookQueuePlugin, { name: 'herald-webhook-queue', fastify: '5.x' });
