/** sms-worker configuration: the only module that reads process.env. */
import { deliveryPolicy, deliveryWorkerConfigSpec } from '@herald/delivery-worker';
import { parseConfig, v, type ConfigOf } from '@herald/runtime';

export const configSpec = {
  ...deliveryWorkerConfigSpec({ healthPort: 9103, clientId: 'herald-sms-worker', concurrency: 20 }),
  SMS_PROVIDER: v.oneOf(['http'] as const, { description: 'SMS provider implementation.', default: 'http' }),
  SMS_PROVIDER_URL: v.url({ description: 'Base URL of the HTTP SMS gateway (POST /messages).', protocols: ['http', 'https'], default: 'http://127.0.0.1:9025' }),
  SMS_PROVIDER_API_KEY: v.string({ description: 'Bearer token for the gateway; empty for none.', default: '', minLength: 0, secret: true }),
  SMS_FROM: v.string({ description: 'Sender id or number passed to the gateway; empty to let it choose.', default: '', minLength: 0 }),
};

export type SmsWorkerConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SmsWorkerConfig {
  const config = parseConfig(configSpec, env);
  deliveryPolicy(config); // cross-checks (throws ConfigError)
  return config;
}
