/** webhook-worker entry point: parse the configuration (fail fast), then run. */
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig } from './config';
import { runWebhookWorker } from './worker';

const config = configOrExit('webhook-worker', () => loadConfig());
const logger = createLogger({ service: 'webhook-worker', level: config.LOG_LEVEL });
runWebhookWorker(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'webhook-worker failed to start');
  process.exit(1);
});
