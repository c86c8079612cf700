/** email-worker entry point: parse the configuration (fail fast), then run the EmailQueue worker. */
import { Queues } from '@herald/contracts';
import { runChannelWorker } from '@herald/delivery-worker';
import { configOrExit, createLogger } from '@herald/runtime';
import { loadConfig } from './config';
import { createEmailProcessor } from './processors/email-processor';
import { SmtpProvider } from './providers/smtp-provider';

const config = configOrExit('email-worker', () => loadConfig());
const logger = createLogger({ service: 'email-worker', level: config.LOG_LEVEL });
const provider = new SmtpProvider({
  url: config.SMTP_URL,
  from: config.EMAIL_FROM,
  messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
  poolSize: config.SMTP_POOL_SIZE,
  timeoutMs: config.SMTP_TIMEOUT_MS,
  ...(config.EMAIL_LOOKUP_URL ? { lookupUrl: config.EMAIL_LOOKUP_URL } : {}),
});
runChannelWorker({ service: 'email-worker', channel: 'email', queue: Queues.Email, config, logger, provider, createProcessor: createEmailProcessor }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'email-worker failed to start');
  process.exit(1);
});
