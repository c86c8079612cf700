/** email-worker entry point: parse the configuration (fail fast), then run the EmailQueue worker with its providers in failover order. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig, type EmailProviderName } from './config';
import { createEmailProcessor } from './processors/email-processor';
import { createEmailProviders } from './providers/registry';

const config = configOrExit('email-worker', () => loadConfig());
const logger = createLogger({ service: 'email-worker', level: config.LOG_LEVEL });
const providers = configOrExit('email-worker', () => createEmailProviders(config.EMAIL_PROVIDERS as EmailProviderName[], config));
logger.info({ providers: providers.map((p) => p.name) }, 'email providers in failover order');
runChannelWorker({ service: 'email-worker', channel: 'email', queue: Queues.Email, config, logger, providers, createProcessor: createEmailProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'email-worker failed to start');
  process.exit(1);
});
