/** email-worker configuration: the only module that reads process.env. */
import { checkRoutingConfig, deliveryPolicy, deliveryWorkerConfigSpec } from '@herald/delivery-worker';
import { ConfigError, parseConfig, v, type ConfigOf } from '@herald/runtime';

export const EMAIL_PROVIDERS = ['smtp', 'ses', 'sendgrid', 'mailgun', 'postmark'] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

const optional = (description: string, secret = false) => v.string({ description, default: '', minLength: 0, ...(secret ? { secret: true } : {}) });

export const configSpec = {
  ...deliveryWorkerConfigSpec({ healthPort: 9102, clientId: 'herald-email-worker', concurrency: 100 }),
  EMAIL_PROVIDERS: v.list({
    description:
      'Who sends the email, in failover order: smtp (SMTP_URL), ses (Amazon SES v2), sendgrid, mailgun, postmark (e.g. ses,sendgrid,smtp). One attempt goes to one provider; a transient failure or an open circuit breaker moves the next attempt to the next one. Each reads its own variables below.',
    default: ['smtp'],
    item: new RegExp(`^(${EMAIL_PROVIDERS.join('|')})$`),
    hint: `must name providers among ${EMAIL_PROVIDERS.join(', ')}`,
  }),
  SMTP_URL: v.url({
    description: 'SMTP server, e.g. smtp://user:pass@smtp.example.com:587?requireTLS=true (smtps:// for implicit TLS).',
    protocols: ['smtp', 'smtps'],
    default: 'smtp://127.0.0.1:1025',
    secret: true,
  }),
  SMTP_POOL_SIZE: v.int({ description: 'Pooled SMTP connections per process.', min: 1, max: 100, default: 5 }),
  SMTP_TIMEOUT_MS: v.int({ description: 'SMTP connect, greeting and socket-inactivity timeout.', min: 100, default: 15_000 }),
  EMAIL_FROM: v.string({
    description: 'Sender of an email whose request names none (`address` or `Name <address>`); a request\'s own `from` must be one of its client\'s allowed senders.',
    default: 'Herald <no-reply@herald.local>',
  }),
  EMAIL_MESSAGE_ID_DOMAIN: v.string({ description: 'Domain part of the stable Message-ID <delivery-id@domain>.', default: 'herald.local', pattern: /^[A-Za-z0-9.-]+$/, hint: 'must be a domain name' }),
  EMAIL_LOOKUP_URL: v.string({
    description:
      'Optional MailDev-compatible API (GET /api/email?headers.message-id=...) asked whether a message arrived when a send outcome is unknown; empty to disable (then IN_DOUBT_POLICY applies).',
    default: '',
    minLength: 0,
  }),
  EMAIL_PROVIDER_TIMEOUT_MS: v.int({ description: 'Connect and answer timeout of the HTTP email providers (ses, sendgrid, mailgun, postmark).', min: 100, default: 15_000 }),
  SES_REGION: optional('ses: the AWS region of the SES account, e.g. eu-west-1 (required with the provider ses).'),
  SES_ENDPOINT: optional('ses: another SESv2 endpoint than the region\'s (a VPC endpoint, or a local emulator); empty: the region\'s.'),
  SES_ACCESS_KEY_ID: optional('ses: static access key id; empty: the AWS SDK\'s default credential chain (IRSA, instance profile, AWS_* variables).'),
  SES_SECRET_ACCESS_KEY: optional('ses: the secret key that goes with SES_ACCESS_KEY_ID.', true),
  SES_CONFIGURATION_SET: optional('ses: the configuration set named on every email; its SNS event destination publishes the deliveries, bounces and complaints the receipts-api takes (required with the provider ses).'),
  SENDGRID_API_KEY: optional('sendgrid: API key with the mail.send permission (required with the provider sendgrid).', true),
  SENDGRID_API_URL: v.url({ description: 'sendgrid: API base URL (https://api.eu.sendgrid.com for EU data residency, or an emulator).', protocols: ['https', 'http'], default: 'https://api.sendgrid.com' }),
  MAILGUN_API_KEY: optional('mailgun: private API key, or a domain sending key (required with the provider mailgun).', true),
  MAILGUN_DOMAIN: optional('mailgun: the sending domain, e.g. mg.example.com (required with the provider mailgun).'),
  MAILGUN_API_URL: v.url({ description: 'mailgun: API base URL (https://api.eu.mailgun.net for the EU region, or an emulator).', protocols: ['https', 'http'], default: 'https://api.mailgun.net' }),
  POSTMARK_SERVER_TOKEN: optional('postmark: the server API token (required with the provider postmark).', true),
  POSTMARK_API_URL: v.url({ description: 'postmark: API base URL (or an emulator).', protocols: ['https', 'http'], default: 'https://api.postmarkapp.com' }),
  POSTMARK_MESSAGE_STREAM: v.string({ description: 'postmark: the message stream emails go to (transactional: outbound; broadcasts: your broadcast stream).', default: 'outbound' }),
};

/** The variables each provider cannot do without (beyond those with defaults). */
export const REQUIRED_BY_PROVIDER: Readonly<Record<EmailProviderName, ReadonlyArray<keyof typeof configSpec>>> = {
  smtp: [],
  ses: ['SES_REGION', 'SES_CONFIGURATION_SET'],
  sendgrid: ['SENDGRID_API_KEY'],
  mailgun: ['MAILGUN_API_KEY', 'MAILGUN_DOMAIN'],
  postmark: ['POSTMARK_SERVER_TOKEN'],
};

export type EmailWorkerConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EmailWorkerConfig {
  const config = parseConfig(configSpec, env);
  deliveryPolicy(config); // cross-checks (throws ConfigError)
  const problems: string[] = [];
  if (new Set(config.EMAIL_PROVIDERS).size !== config.EMAIL_PROVIDERS.length) problems.push('EMAIL_PROVIDERS names a provider twice');
  if (problems.length) throw new ConfigError(problems);
  checkProviderConfig(config.EMAIL_PROVIDERS as EmailProviderName[], config);
  checkRoutingConfig(config, config.EMAIL_PROVIDERS, 'EMAIL_PROVIDERS');
  return config;
}

/** Throws a ConfigError naming every variable the selected providers need and lack. */
export function checkProviderConfig(names: readonly EmailProviderName[], config: EmailWorkerConfig): void {
  const problems: string[] = [];
  for (const name of names) {
    for (const variable of REQUIRED_BY_PROVIDER[name]) {
      if (!config[variable]) problems.push(`${variable} is required with the ${name} provider (EMAIL_PROVIDERS): ${configSpec[variable].description}`);
    }
  }
  if (names.includes('ses') && Boolean(config.SES_ACCESS_KEY_ID) !== Boolean(config.SES_SECRET_ACCESS_KEY)) {
    problems.push('SES_ACCESS_KEY_ID and SES_SECRET_ACCESS_KEY go together: set both, or neither (the default credential chain)');
  }
  if (problems.length) throw new ConfigError(problems);
}
