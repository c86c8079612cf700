/**
 * One receipts-api process: builds the app, listens, and drains on SIGTERM (readiness turns to
 * draining; app.close() stops accepting, finishes the callbacks in flight, flushes the producer).
 */
import { Lifecycle, createLogger, type Logger } from '@herald/runtime';
import { buildApp } from './app';
import type { ReceiptsConfig } from './config';

export async function runServer(config: ReceiptsConfig, logger: Logger = createLogger({ service: 'receipts-api', level: config.LOG_LEVEL })): Promise<void> {
  const lifecycle = new Lifecycle({ logger, graceMs: config.SHUTDOWN_GRACE_MS });
  lifecycle.installSignalHandlers();
  const app = await buildApp(config, { logger });
  lifecycle.onDraining(() => app.health.setDraining());
  lifecycle.onShutdown('http server and Kafka producer', () => app.close());
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT, providers: config.RECEIPT_PROVIDERS, publicUrl: config.RECEIPTS_PUBLIC_URL }, 'receipts-api listening');
  if (config.RECEIPT_PROVIDERS.length === 0) logger.warn('no RECEIPT_PROVIDERS: every callback answers 404');
}
