/**
 * The SMS provider registry: provider name -> SmsProvider built from the worker's configuration.
 * It takes a list of names (SMS_PROVIDERS, in failover order; failover passes
 * several) and refuses, with a ConfigError naming them, any provider whose variables are missing.
 */
import { checkProviderSettings, SMS_PROVIDERS, type SmsProviderName, type SmsWorkerConfig } from '../config';
import { HttpSmsProvider } from './http-provider';
import type { SmsProvider } from './sms-provider';
import { SnsSmsProvider } from './sns-provider';
import { TwilioSmsProvider } from './twilio-provider';
import { VonageSmsProvider } from './vonage-provider';

/** Where a provider is asked to send its receipts: <RECEIPTS_PUBLIC_URL>/providers/<name>/events. */
export function receiptsUrlFor(config: Pick<SmsWorkerConfig, 'RECEIPTS_PUBLIC_URL'>, provider: SmsProviderName): string | undefined {
  if (!config.RECEIPTS_PUBLIC_URL) return undefined;
  const base = config.RECEIPTS_PUBLIC_URL.endsWith('/') ? config.RECEIPTS_PUBLIC_URL : `${config.RECEIPTS_PUBLIC_URL}/`;
  return new URL(`providers/${provider}/events`, base).toString();
}

const factories: Readonly<Record<SmsProviderName, (config: SmsWorkerConfig) => SmsProvider>> = {
  http: (c) =>
    new HttpSmsProvider({
      url: c.SMS_PROVIDER_URL,
      ...(c.SMS_PROVIDER_API_KEY ? { apiKey: c.SMS_PROVIDER_API_KEY } : {}),
      ...(c.SMS_FROM ? { from: c.SMS_FROM } : {}),
    }),
  twilio: (c) => {
    const statusCallbackUrl = receiptsUrlFor(c, 'twilio');
    return new TwilioSmsProvider({
      accountSid: c.TWILIO_ACCOUNT_SID,
      authToken: c.TWILIO_AUTH_TOKEN,
      ...(c.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID } : { from: c.TWILIO_FROM }),
      apiUrl: c.TWILIO_API_URL,
      ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
      timeoutMs: c.SEND_TIMEOUT_MS,
      lookupLimit: c.TWILIO_LOOKUP_LIMIT,
    });
  },
  vonage: (c) => {
    const callbackUrl = receiptsUrlFor(c, 'vonage');
    return new VonageSmsProvider({
      apiKey: c.VONAGE_API_KEY,
      apiSecret: c.VONAGE_API_SECRET,
      from: c.VONAGE_FROM,
      apiUrl: c.VONAGE_API_URL,
      ...(callbackUrl ? { callbackUrl } : {}),
      reportsLookup: c.VONAGE_REPORTS_LOOKUP,
      reportsUrl: c.VONAGE_REPORTS_API_URL,
    });
  },
  sns: (c) =>
    new SnsSmsProvider({
      region: c.SNS_REGION,
      ...(c.SNS_ENDPOINT ? { endpoint: c.SNS_ENDPOINT } : {}),
      ...(c.SNS_ACCESS_KEY_ID ? { accessKeyId: c.SNS_ACCESS_KEY_ID, secretAccessKey: c.SNS_SECRET_ACCESS_KEY } : {}),
      ...(c.SNS_SENDER_ID ? { senderId: c.SNS_SENDER_ID } : {}),
      ...(c.SNS_ORIGINATION_NUMBER ? { originationNumber: c.SNS_ORIGINATION_NUMBER } : {}),
      smsType: c.SNS_SMS_TYPE,
      checkOptOut: c.SNS_CHECK_OPT_OUT,
    }),
};

export function isSmsProviderName(name: string): name is SmsProviderName {
  return (SMS_PROVIDERS as readonly string[]).includes(name);
}

/** Builds the named providers, in order. Throws ConfigError when one's variables are missing. */
export function createSmsProviders(names: readonly SmsProviderName[], config: SmsWorkerConfig): SmsProvider[] {
  checkProviderSettings(names, config);
  return names.map((name) => factories[name](config));
}
