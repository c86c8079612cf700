/** sms-worker entry point: parse the configuration (fail fast), then run the SmsQueue worker. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig } from './config';
import { createSmsProcessor } from './processors/sms-processor';
import { HttpSmsProvider } from './providers/http-provider';

const config = configOrExit('sms-worker', () => loadConfig());
const logger = createLogger({ service: 'sms-worker', level: config.LOG_LEVEL });
const provider = new HttpSmsProvider({
  url: config.SMS_PROVIDER_URL,
  ...(config.SMS_PROVIDER_API_KEY ? { apiKey: config.SMS_PROVIDER_API_KEY } : {}),
  ...(config.SMS_FROM ? { from: config.SMS_FROM } : {}),
});
runChannelWorker({ service: 'sms-worker', channel: 'sms', queue: Queues.Sms, config, logger, provider, createProcessor: createSmsProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'sms-worker failed to start');
  process.exit(1);
});
