/**
 * The SMS providers' receipt sources and the variables they read (RECEIPT_PROVIDERS selects).
 *
 * twilio: status callbacks and STOP opt-outs (twilio.ts); vonage: signed delivery receipts
 * (vonage.ts). sns has no source: Amazon SNS reports SMS delivery only to CloudWatch Logs, with
 * no per-message callback, so for SNS "sent" is the last status Herald records. http (the generic
 * gateway) has none either: its protocol defines no callback.
 */
import { ConfigError, v, type ConfigOf } from '@herald/runtime';
import type { ReceiptSource } from './receipt-source';
import { twilioReceiptSource } from './twilio';
import { VONAGE_SIGNATURE_METHODS, vonageReceiptSource } from './vonage';

export const SMS_RECEIPT_PROVIDERS = ['twilio', 'vonage'] as const;

const optional = { default: '', minLength: 0 } as const;

export const smsReceiptConfigSpec = {
  TWILIO_AUTH_TOKEN: v.string({ description: 'twilio (required): the Auth Token Twilio signs status callbacks and inbound messages with (X-Twilio-Signature).', ...optional, secret: true }),
  TWILIO_ACCOUNT_SID: v.string({ description: 'twilio: when set, callbacks naming another Account SID are refused.', ...optional, pattern: /^AC[0-9a-fA-F]{32}$/, hint: 'must be AC followed by 32 hex digits' }),
  VONAGE_API_KEY: v.string({ description: 'vonage (required): the API key; DLRs carrying another api-key are refused.', ...optional }),
  VONAGE_SIGNATURE_SECRET: v.string({ description: 'vonage (required): the signature secret of the account\'s signed webhooks (Vonage dashboard, API settings).', ...optional, secret: true }),
  VONAGE_SIGNATURE_METHOD: v.oneOf(VONAGE_SIGNATURE_METHODS, { description: 'vonage: the signature method set for the account: md5hash (Vonage\'s default), or the HMAC md5, sha1, sha256 (recommended) or sha512.', default: 'md5hash' }),
  VONAGE_SIGNATURE_MAX_AGE_SEC: v.int({ description: 'vonage: a DLR whose signed timestamp is further than this from now is refused (replays).', min: 30, max: 86_400, default: 300 }),
};

export type SmsReceiptConfig = ConfigOf<typeof smsReceiptConfigSpec>;

/** Builds the enabled SMS receipt sources; throws ConfigError naming the variables an enabled one lacks. */
export function smsReceiptSources(enabled: ReadonlySet<string>, config: SmsReceiptConfig): ReceiptSource[] {
  const problems: string[] = [];
  const need = (provider: string, names: ReadonlyArray<keyof SmsReceiptConfig>) => {
    for (const name of names) if (config[name] === '') problems.push(`${name} is required with receipt provider ${provider}: ${smsReceiptConfigSpec[name].description}`);
  };
  const sources: ReceiptSource[] = [];
  if (enabled.has('twilio')) {
    need('twilio', ['TWILIO_AUTH_TOKEN']);
    sources.push(twilioReceiptSource({ authToken: config.TWILIO_AUTH_TOKEN, ...(config.TWILIO_ACCOUNT_SID ? { accountSid: config.TWILIO_ACCOUNT_SID } : {}) }));
  }
  if (enabled.has('vonage')) {
    need('vonage', ['VONAGE_API_KEY', 'VONAGE_SIGNATURE_SECRET']);
    sources.push(
      vonageReceiptSource({ apiKey: config.VONAGE_API_KEY, signatureSecret: config.VONAGE_SIGNATURE_SECRET, signatureMethod: config.VONAGE_SIGNATURE_METHOD, maxAgeSec: config.VONAGE_SIGNATURE_MAX_AGE_SEC }),
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return sources;
}
