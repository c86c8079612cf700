/** sms-worker entry point: parse the configuration (fail fast), then run the SmsQueue worker. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig } from './config';
import { createSmsProcessor } from './processors/sms-processor';
import { createSmsProviders } from './providers/registry';

const { config, provider } = configOrExit('sms-worker', () => {
  const config = loadConfig();
  const [provider] = createSmsProviders([config.SMS_PROVIDER], config);
  if (!provider) throw new Error(`no SMS provider ${config.SMS_PROVIDER}`);
  return { config, provider };
});
const logger = createLogger({ service: 'sms-worker', level: config.LOG_LEVEL });
runChannelWorker({ service: 'sms-worker', channel: 'sms', queue: Queues.Sms, config, logger, provider, createProcessor: createSmsProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'sms-worker failed to start');
  process.exit(1);
});
