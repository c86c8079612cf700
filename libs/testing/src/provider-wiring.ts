/**
 * How a Herald runs against a provider's emulator: what the email-worker or sms-worker needs to
 * send through it, what the receipts-api needs to verify its callbacks, and where the emulator
 * sends them. One table for every provider, used by the test stack (HeraldStack providers) and by
 * `npm start -- --email <provider> --sms <provider>`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorClient } from './emulators';

export const EMAIL_PROVIDERS = ['smtp', 'ses', 'sendgrid', 'mailgun', 'postmark'] as const;
export const SMS_PROVIDERS = ['http', 'twilio', 'vonage', 'sns'] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];
export type EmulatedProvider = Exclude<EmailProviderName, 'smtp'> | Exclude<SmsProviderName, 'http'>;

/** Basic-auth pair the Postmark emulator sends (it takes them from the callback URL, as Postmark does). */
const POSTMARK_HOOK = { user: 'postmark-hook', password: 'postmark-hook-secret' };

export interface ProviderWiring {
  /** Variables for the channel worker (its provider list, EMAIL_PROVIDERS or SMS_PROVIDERS, is the caller's). */
  worker: Record<string, string>;
  /** Variables for the receipts-api (empty for a provider without receipts). */
  receipts: Record<string, string>;
  /** Whether the provider reports receipts. */
  hasReceipts: boolean;
}

/** The callback URL the emulator is started with (Twilio and Vonage get theirs per message from the worker instead). */
export function emulatorCallbackUrl(provider: EmulatedProvider, receiptsUrl: string): string | undefined {
  const base = `${receiptsUrl.replace(/\/+$/, '')}/providers/${provider}/events`;
  if (provider === 'postmark') {
    const url = new URL(base);
    url.username = POSTMARK_HOOK.user;
    url.password = POSTMARK_HOOK.password;
    return url.toString();
  }
  return provider === 'sns' ? undefined : base;
}

/**
 * The variables for a provider's emulator at `emulatorUrl` (with its control client), whose
 * receipts go to the receipts-api at `receiptsUrl`. `scratchDir` holds files some providers need
 * (the SES emulator's certificate authority, which the receipts-api trusts for the SNS certificate).
 */
export async function providerWiring(provider: EmulatedProvider, emulatorUrl: string, client: EmulatorClient, receiptsUrl: string, scratchDir: string): Promise<ProviderWiring> {
  switch (provider) {
    case 'ses': {
      const c = (await client.credentials()) as { certificatePem: string; topicArn: string };
      const ca = join(scratchDir, 'ses-emulator-ca.pem');
      writeFileSync(ca, c.certificatePem);
      return {
        worker: { SES_REGION: 'us-east-1', SES_ENDPOINT: emulatorUrl, SES_ACCESS_KEY_ID: 'AKIAEMULATOR', SES_SECRET_ACCESS_KEY: 'emulator-secret', SES_CONFIGURATION_SET: 'herald' },
        receipts: { SES_SNS_TOPIC_ARNS: c.topicArn, SES_SNS_HOST_PATTERN: '^localhost$', NODE_EXTRA_CA_CERTS: ca },
        hasReceipts: true,
      };
    }
    case 'sendgrid': {
      const c = (await client.credentials()) as { publicKey: string };
      return { worker: { SENDGRID_API_KEY: 'SG.emulator', SENDGRID_API_URL: emulatorUrl }, receipts: { SENDGRID_WEBHOOK_PUBLIC_KEY: c.publicKey }, hasReceipts: true };
    }
    case 'mailgun': {
      const c = (await client.credentials()) as { webhookSigningKey: string };
      return {
        worker: { MAILGUN_API_KEY: 'key-emulator', MAILGUN_DOMAIN: 'mg.example.com', MAILGUN_API_URL: emulatorUrl },
        receipts: { MAILGUN_WEBHOOK_SIGNING_KEY: c.webhookSigningKey },
        hasReceipts: true,
      };
    }
    case 'postmark':
      return {
        worker: { POSTMARK_SERVER_TOKEN: 'postmark-emulator-token', POSTMARK_API_URL: emulatorUrl },
        receipts: { POSTMARK_WEBHOOK_USERNAME: POSTMARK_HOOK.user, POSTMARK_WEBHOOK_PASSWORD: POSTMARK_HOOK.password },
        hasReceipts: true,
      };
    case 'twilio':
      return {
        worker: { TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000', TWILIO_AUTH_TOKEN: 'emulator-auth-token', TWILIO_FROM: '+15005550006', TWILIO_API_URL: emulatorUrl, RECEIPTS_PUBLIC_URL: receiptsUrl },
        receipts: { TWILIO_AUTH_TOKEN: 'emulator-auth-token', TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000' },
        hasReceipts: true,
      };
    case 'vonage':
      return {
        worker: { VONAGE_API_KEY: 'a1b2c3d4', VONAGE_API_SECRET: 'EmulatorSecret1', VONAGE_FROM: 'Herald', VONAGE_API_URL: emulatorUrl, RECEIPTS_PUBLIC_URL: receiptsUrl },
        receipts: { VONAGE_API_KEY: 'a1b2c3d4', VONAGE_SIGNATURE_SECRET: 'emulator-signature-secret', VONAGE_SIGNATURE_METHOD: 'md5hash' },
        hasReceipts: true,
      };
    case 'sns':
      return {
        worker: { SNS_REGION: 'us-east-1', SNS_ENDPOINT: emulatorUrl, SNS_ACCESS_KEY_ID: 'AKIAEMULATOR00000000', SNS_SECRET_ACCESS_KEY: 'emulator-secret-access-key', SNS_SENDER_ID: 'Herald' },
        receipts: {},
        hasReceipts: false,
      };
  }
}
