/** sms-worker entry point: parse the configuration (fail fast), then run the SmsQueue worker. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig, type SmsProviderName } from './config';
import { createSmsProcessor } from './processors/sms-processor';
import { createSmsProviders } from './providers/registry';

const { config, providers } = configOrExit('sms-worker', () => {
  const config = loadConfig();
  return { config, providers: createSmsProviders(config.SMS_PROVIDERS as SmsProviderName[], config) };
});
const logger = createLogger({ service: 'sms-worker', level: config.LOG_LEVEL });
logger.info({ providers: providers.map((p) => p.name) }, 'SMS providers in failover order');
runChannelWorker({ service: 'sms-worker', channel: 'sms', queue: Queues.Sms, config, logger, providers, createProcessor: createSmsProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'sms-worker failed to start');
  process.exit(1);
});
