/** email-worker entry point: parse the configuration (fail fast), then run the EmailQueue worker with the selected provider. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig } from './config';
import { createEmailProcessor } from './processors/email-processor';
import { createEmailProviders } from './providers/registry';

const config = configOrExit('email-worker', () => loadConfig());
const logger = createLogger({ service: 'email-worker', level: config.LOG_LEVEL });
const [provider] = configOrExit('email-worker', () => createEmailProviders([config.EMAIL_PROVIDER], config));
if (!provider) throw new Error('no email provider configured');
logger.info({ provider: provider.name }, 'email provider selected');
runChannelWorker({ service: 'email-worker', channel: 'email', queue: Queues.Email, config, logger, provider, createProcessor: createEmailProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'email-worker failed to start');
  process.exit(1);
});
