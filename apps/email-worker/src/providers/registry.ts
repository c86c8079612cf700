/**
 * The email providers by name, built from the configuration. It takes a list of names although
 * EMAIL_PROVIDERS lists them in failover order; each name's required
 * variables are checked first (ConfigError naming the missing ones).
 */
import type { EmailJob } from '@herald/contracts';
import type { DeliveryProvider } from '@herald/delivery';
import { checkProviderConfig, type EmailProviderName, type EmailWorkerConfig } from '../config';
import { parseMailbox, type SenderDefaults } from './email-parts';
import { MailgunProvider } from './mailgun-provider';
import { PostmarkProvider } from './postmark-provider';
import { SendGridProvider } from './sendgrid-provider';
import { SesProvider } from './ses-provider';
import { SmtpProvider } from './smtp-provider';

type Factory = (config: EmailWorkerConfig, sender: SenderDefaults) => DeliveryProvider<EmailJob>;

const factories: Readonly<Record<EmailProviderName, Factory>> = {
  smtp: (c, sender) =>
    new SmtpProvider({
      ...sender,
      url: c.SMTP_URL,
      poolSize: c.SMTP_POOL_SIZE,
      timeoutMs: c.SMTP_TIMEOUT_MS,
      ...(c.EMAIL_LOOKUP_URL ? { lookupUrl: c.EMAIL_LOOKUP_URL } : {}),
    }),
  ses: (c, sender) =>
    new SesProvider({
      ...sender,
      region: c.SES_REGION,
      ...(c.SES_ENDPOINT ? { endpoint: c.SES_ENDPOINT } : {}),
      ...(c.SES_ACCESS_KEY_ID ? { credentials: { accessKeyId: c.SES_ACCESS_KEY_ID, secretAccessKey: c.SES_SECRET_ACCESS_KEY } } : {}),
      configurationSet: c.SES_CONFIGURATION_SET,
      timeoutMs: c.EMAIL_PROVIDER_TIMEOUT_MS,
    }),
  sendgrid: (c, sender) => new SendGridProvider({ ...sender, apiKey: c.SENDGRID_API_KEY, apiUrl: c.SENDGRID_API_URL }),
  mailgun: (c, sender) => new MailgunProvider({ ...sender, apiKey: c.MAILGUN_API_KEY, domain: c.MAILGUN_DOMAIN, apiUrl: c.MAILGUN_API_URL, timeoutMs: c.EMAIL_PROVIDER_TIMEOUT_MS }),
  postmark: (c, sender) =>
    new PostmarkProvider({ ...sender, serverToken: c.POSTMARK_SERVER_TOKEN, apiUrl: c.POSTMARK_API_URL, messageStream: c.POSTMARK_MESSAGE_STREAM, timeoutMs: c.EMAIL_PROVIDER_TIMEOUT_MS }),
};

/** The sender defaults every provider shares (EMAIL_FROM parsed once). */
export function senderDefaults(config: Pick<EmailWorkerConfig, 'EMAIL_FROM' | 'EMAIL_MESSAGE_ID_DOMAIN'>): SenderDefaults {
  return { from: parseMailbox(config.EMAIL_FROM), messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN };
}

/** One provider per name, in the order given. */
export function createEmailProviders(names: readonly EmailProviderName[], config: EmailWorkerConfig): Array<DeliveryProvider<EmailJob>> {
  checkProviderConfig(names, config);
  const sender = senderDefaults(config);
  return names.map((name) => factories[name](config, sender));
}
