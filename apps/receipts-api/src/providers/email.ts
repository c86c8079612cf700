/** The email providers' receipt sources and the variables they read (RECEIPT_PROVIDERS selects). */
import { ConfigError, v, type ConfigOf } from '@herald/runtime';
import { MailgunReceiptSource } from './mailgun';
import { PostmarkReceiptSource } from './postmark';
import type { ReceiptSource } from './receipt-source';
import { SendGridReceiptSource } from './sendgrid';
import { SesReceiptSource } from './ses';
import { DEFAULT_SNS_HOST_PATTERN } from './sns-message';

export const EMAIL_RECEIPT_PROVIDERS = ['ses', 'sendgrid', 'mailgun', 'postmark'] as const;

const optional = (description: string, secret = false) => v.string({ description, default: '', minLength: 0, ...(secret ? { secret: true } : {}) });

export const emailReceiptConfigSpec = {
  SES_SNS_TOPIC_ARNS: optional('ses: the SNS topics (ARNs, comma-separated) of the SES configuration set\'s event destination; messages from any other topic are refused (required with ses).'),
  SES_SNS_HOST_PATTERN: v.string({
    description: "ses: regular expression a SigningCertURL's and a SubscribeURL's host must match (AWS' SNS hosts by default; ^localhost$ for the local emulator).",
    default: DEFAULT_SNS_HOST_PATTERN,
  }),
  SES_SNS_CONFIRM: v.bool({ description: 'ses: confirm SNS subscriptions to the allowed topics by visiting their SubscribeURL.', default: true }),
  SENDGRID_WEBHOOK_PUBLIC_KEY: optional('sendgrid: the Event Webhook verification key (Mail Settings > Signed Event Webhook), base64 as SendGrid shows it (required with sendgrid).'),
  SENDGRID_WEBHOOK_MAX_AGE_SEC: v.int({ description: 'sendgrid: oldest signed timestamp taken (SendGrid retries failed posts for up to 24 hours).', min: 1, default: 86_400 }),
  MAILGUN_WEBHOOK_SIGNING_KEY: optional('mailgun: the HTTP webhook signing key (Sending > Webhooks) (required with mailgun).', true),
  MAILGUN_WEBHOOK_MAX_AGE_SEC: v.int({ description: 'mailgun: freshness window of a webhook\'s signed timestamp.', min: 1, default: 900 }),
  POSTMARK_WEBHOOK_USERNAME: optional('postmark: the basic-auth user written in the webhook URL (required with postmark).'),
  POSTMARK_WEBHOOK_PASSWORD: optional('postmark: the basic-auth password written in the webhook URL (required with postmark).', true),
};

export type EmailReceiptConfig = ConfigOf<typeof emailReceiptConfigSpec>;

const REQUIRED: Readonly<Record<(typeof EMAIL_RECEIPT_PROVIDERS)[number], ReadonlyArray<keyof EmailReceiptConfig>>> = {
  ses: ['SES_SNS_TOPIC_ARNS'],
  sendgrid: ['SENDGRID_WEBHOOK_PUBLIC_KEY'],
  mailgun: ['MAILGUN_WEBHOOK_SIGNING_KEY'],
  postmark: ['POSTMARK_WEBHOOK_USERNAME', 'POSTMARK_WEBHOOK_PASSWORD'],
};

/** What tests (or an embedding) may add that no variable sets: a CA for the SNS certificate fetch, a log line sink, a clock. */
export interface EmailReceiptExtras {
  snsExtraCa?: string;
  log?: (message: string) => void;
  now?: () => number;
}

/** Builds the enabled email receipt sources from the parsed configuration; ConfigError names what an enabled one lacks. */
export function emailReceiptSources(enabled: ReadonlySet<string>, config: EmailReceiptConfig, extras: EmailReceiptExtras = {}): ReceiptSource[] {
  const names = EMAIL_RECEIPT_PROVIDERS.filter((name) => enabled.has(name));
  const problems: string[] = [];
  for (const name of names) {
    for (const variable of REQUIRED[name]) if (!config[variable]) problems.push(`${variable} is required with receipts from ${name}: ${emailReceiptConfigSpec[variable].description}`);
  }
  let hostPattern: RegExp | undefined;
  try {
    hostPattern = new RegExp(config.SES_SNS_HOST_PATTERN);
  } catch {
    problems.push(`SES_SNS_HOST_PATTERN must be a regular expression (got ${JSON.stringify(config.SES_SNS_HOST_PATTERN)})`);
  }
  if (names.includes('sendgrid') && config.SENDGRID_WEBHOOK_PUBLIC_KEY) {
    try {
      new SendGridReceiptSource({ publicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY, maxAgeSec: 1 });
    } catch {
      problems.push('SENDGRID_WEBHOOK_PUBLIC_KEY must be the base64 verification key SendGrid shows (an EC public key)');
    }
  }
  if (problems.length || !hostPattern) throw new ConfigError(problems);
  const now = extras.now ? { now: extras.now } : {};
  return names.map((name): ReceiptSource => {
    switch (name) {
      case 'ses':
        return new SesReceiptSource({
          topicArns: config.SES_SNS_TOPIC_ARNS.split(',').map((s) => s.trim()).filter(Boolean),
          hostPattern: hostPattern as RegExp,
          confirmSubscriptions: config.SES_SNS_CONFIRM,
          ...(extras.snsExtraCa ? { extraCa: extras.snsExtraCa } : {}),
          ...(extras.log ? { log: extras.log } : {}),
        });
      case 'sendgrid':
        return new SendGridReceiptSource({ publicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY, maxAgeSec: config.SENDGRID_WEBHOOK_MAX_AGE_SEC, ...now });
      case 'mailgun':
        return new MailgunReceiptSource({ signingKey: config.MAILGUN_WEBHOOK_SIGNING_KEY, maxAgeSec: config.MAILGUN_WEBHOOK_MAX_AGE_SEC, ...now });
      case 'postmark':
        return new PostmarkReceiptSource({ username: config.POSTMARK_WEBHOOK_USERNAME, password: config.POSTMARK_WEBHOOK_PASSWORD });
    }
  });
}
