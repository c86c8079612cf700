/**
 * One ingest-api process: builds the app from its configuration, listens, and drains on SIGTERM:
 * readiness turns to "draining", app.close() stops accepting connections and answers 503 to new
 * requests, finishes the requests in flight, then its plugins flush the Kafka producer and close
 * Redis and the database (in reverse order of registration).
 */
import { Lifecycle, createLogger, type Logger } from '@herald/runtime';
import { buildApp } from './app';
import type { IngestConfig } from './config';

export async function runServer(config: IngestConfig, logger: Logger = createLogger({ service: 'ingest-api', level: config.LOG_LEVEL })): Promise<void> {
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const app = await buildApp(config, { logger });
  lifecycle.onDraining(() => app.health.setDraining());
  lifecycle.onShutdown('http server and its connections', () => app.close());
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT, authentication: config.AUTH_DISABLED ? 'off' : 'on', topicPrefix: config.KAFKA_TOPIC_PREFIX }, 'ingest-api listening');
}
