/** email-worker configuration: the only module that reads process.env. */
import { deliveryPolicy, deliveryWorkerConfigSpec } from '@herald/delivery-worker';
import { parseConfig, v, type ConfigOf } from '@herald/runtime';

export const configSpec = {
  ...deliveryWorkerConfigSpec({ healthPort: 9102, clientId: 'herald-email-worker', concurrency: 20 }),
  SMTP_URL: v.url({
    description: 'SMTP server, e.g. smtp://user:pass@smtp.example.com:587?requireTLS=true (smtps:// for implicit TLS).',
    protocols: ['smtp', 'smtps'],
    default: 'smtp://127.0.0.1:1025',
    secret: true,
  }),
  SMTP_POOL_SIZE: v.int({ description: 'Pooled SMTP connections per process.', min: 1, max: 100, default: 5 }),
  SMTP_TIMEOUT_MS: v.int({ description: 'SMTP connect, greeting and socket-inactivity timeout.', min: 100, default: 15_000 }),
  EMAIL_FROM: v.string({ description: 'From address of every email.', default: 'Herald <no-reply@herald.local>' }),
  EMAIL_MESSAGE_ID_DOMAIN: v.string({ description: 'Domain part of the stable Message-ID <delivery-id@domain>.', default: 'herald.local', pattern: /^[A-Za-z0-9.-]+$/, hint: 'must be a domain name' }),
  EMAIL_LOOKUP_URL: v.string({
    description:
      'Optional MailDev-compatible API (GET /api/email?headers.message-id=...) asked whether a message arrived when a send outcome is unknown; empty to disable (then IN_DOUBT_POLICY applies).',
    default: '',
    minLength: 0,
  }),
};

export type EmailWorkerConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EmailWorkerConfig {
  const config = parseConfig(configSpec, env);
  deliveryPolicy(config); // cross-checks (throws ConfigError)
  return config;
}
