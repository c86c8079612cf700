/**
 * PostgreSQL (tracking) for the ingest-api: message reads, replays and the suppression list. It
 * is not needed to accept messages, so its readiness check is not critical (the API stays ready
 * and only reads fail). Closed on app.close(), after the requests in flight.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Health, Logger } from '@herald/runtime';
import { ReplayRepository, SuppressionRepository, TrackingService, WebhookRepository, createDatabase } from '@herald/tracking';

declare module 'fastify' {
  interface FastifyInstance {
    tracking: TrackingService;
    replays: ReplayRepository;
    suppressions: SuppressionRepository;
    webhookEndpoints: WebhookRepository;
  }
}

export interface DatabasePluginOptions {
  databaseUrl: string;
  poolSize: number;
  health: Health;
  logger: Logger;
}

async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions): Promise<void> {
  const database = createDatabase({ databaseUrl: options.databaseUrl, poolSize: options.poolSize });
  const tracking = new TrackingService(database, options.logger);
  app.decorate('tracking', tracking);
  app.decorate('replays', new ReplayRepository(database.prisma));
  app.decorate('suppressions', new SuppressionRepository(database.prisma));
  app.decorate('webhookEndpoints', new WebhookRepository(database.sql));
  options.health.addReadinessCheck('database', () => tracking.ping(), { critical: false });
  app.addHook('onClose', async () => {
    await database.close();
  });
}

export default fp(databasePlugin, { name: 'herald-database', fastify: '5.x' });
