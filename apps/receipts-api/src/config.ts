/** receipts-api configuration: the only module that reads process.env. */
import { kafkaConfigSpec, kafkaSettings } from '@herald/kafka';
import { ConfigError, LOG_LEVELS, parseConfig, v, type ConfigOf } from '@herald/runtime';
import { EMAIL_RECEIPT_PROVIDERS, emailReceiptConfigSpec } from './providers/email';
import { SMS_RECEIPT_PROVIDERS, smsReceiptConfigSpec } from './providers/sms';

export const RECEIPT_PROVIDERS = [...EMAIL_RECEIPT_PROVIDERS, ...SMS_RECEIPT_PROVIDERS] as const;

export const configSpec = {
  ...kafkaConfigSpec({ clientId: 'herald-receipts-api' }),
  PORT: v.port({ description: 'HTTP port (provider callbacks, /healthz, /readyz, /metrics).', default: 9004 }),
  HOST: v.string({ description: 'Interface to listen on.', default: '0.0.0.0' }),
  LOG_LEVEL: v.oneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' }),
  RECEIPTS_PUBLIC_URL: v.url({
    description:
      'The URL providers call this service at, as they see it (e.g. https://receipts.example.com): the base of the callback URLs to register, and what Twilio and Vonage signatures cover.',
    protocols: ['http', 'https'],
    default: 'http://127.0.0.1:9004',
  }),
  RECEIPT_PROVIDERS: v.list({
    description: `Providers whose callbacks are taken (${RECEIPT_PROVIDERS.join(', ')}); any other /providers/{name}/events answers 404. Each needs its own variables below.`,
    default: [],
    item: new RegExp(`^(${RECEIPT_PROVIDERS.join('|')})$`),
    hint: `must name providers among ${RECEIPT_PROVIDERS.join(', ')}`,
  }),
  BODY_LIMIT_BYTES: v.int({ description: 'Largest callback body accepted (SendGrid posts batches of events).', min: 1_024, max: 10_485_760, default: 1_048_576 }),
  RECEIPT_TIMEOUT_MS: v.int({ description: 'Longest time to verify one callback (an SNS signing certificate may have to be fetched).', min: 100, default: 10_000 }),
  REQUEST_TIMEOUT_MS: v.int({ description: 'Longest time to receive a whole request.', min: 1_000, default: 30_000 }),
  KAFKA_SEND_TIMEOUT_MS: v.int({ description: 'Answer 503 (the provider retries) when Kafka has not acknowledged the receipts within this time.', min: 100, default: 10_000 }),
  SHUTDOWN_GRACE_MS: v.int({ description: 'Time allowed for draining on SIGTERM before the process exits anyway.', min: 1_000, default: 15_000 }),
  ...emailReceiptConfigSpec,
  ...smsReceiptConfigSpec,
};

export type ReceiptsConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ReceiptsConfig {
  const config = parseConfig(configSpec, env);
  kafkaSettings(config); // cross-checks (throws ConfigError)
  if (/[?#]/.test(config.RECEIPTS_PUBLIC_URL)) throw new ConfigError(['RECEIPTS_PUBLIC_URL must be a base URL without a query or fragment']);
  return config;
}
