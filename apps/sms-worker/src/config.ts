/** sms-worker configuration: the only module that reads process.env. */
import { checkRoutingConfig, deliveryPolicy, deliveryWorkerConfigSpec } from '@herald/delivery-worker';
import { ConfigError, parseConfig, v, type ConfigOf } from '@herald/runtime';

export const SMS_PROVIDERS = ['http', 'twilio', 'vonage', 'sns'] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

const optional = { default: '', minLength: 0 } as const;

export const configSpec = {
  ...deliveryWorkerConfigSpec({ healthPort: 9103, clientId: 'herald-sms-worker', concurrency: 100 }),
  SMS_PROVIDERS: v.list({
    description:
      'Who sends the SMS, in failover order: http (a gateway speaking POST /messages), twilio, vonage, sns (e.g. twilio,vonage). One attempt goes to one provider; a transient failure or an open circuit breaker moves the next attempt to the next one. Each reads its own variables below.',
    default: ['http'],
    item: new RegExp(`^(${SMS_PROVIDERS.join('|')})$`),
    hint: `must name providers among ${SMS_PROVIDERS.join(', ')}`,
  }),
  RECEIPTS_PUBLIC_URL: v.url({
    description: 'Public base URL of the receipts-api. Twilio and Vonage are asked to report each message to <RECEIPTS_PUBLIC_URL>/providers/<provider>/events (with the delivery and message ids as query parameters); empty: no per-message callback (the account or Messaging Service default applies).',
    protocols: ['http', 'https'],
    default: '',
  }),

  SMS_PROVIDER_URL: v.url({ description: 'http: base URL of the HTTP SMS gateway (POST /messages).', protocols: ['http', 'https'], default: 'http://127.0.0.1:9025' }),
  SMS_PROVIDER_API_KEY: v.string({ description: 'http: bearer token for the gateway; empty for none.', ...optional, secret: true }),
  SMS_FROM: v.string({ description: 'http: sender id or number passed to the gateway; empty to let it choose.', ...optional }),

  TWILIO_ACCOUNT_SID: v.string({ description: 'twilio (required): the Account SID (AC...).', ...optional, pattern: /^AC[0-9a-fA-F]{32}$/, hint: 'must be AC followed by 32 hex digits' }),
  TWILIO_AUTH_TOKEN: v.string({ description: 'twilio (required): the Auth Token (also what Twilio signs status callbacks with).', ...optional, secret: true }),
  TWILIO_FROM: v.string({ description: 'twilio: the sender, a Twilio number in E.164 or an alphanumeric sender id (this or TWILIO_MESSAGING_SERVICE_SID).', ...optional }),
  TWILIO_MESSAGING_SERVICE_SID: v.string({ description: 'twilio: a Messaging Service (MG...) that picks the sender (this or TWILIO_FROM; wins when both are set).', ...optional, pattern: /^MG[0-9a-fA-F]{32}$/, hint: 'must be MG followed by 32 hex digits' }),
  TWILIO_API_URL: v.url({ description: 'twilio: where the REST API is (the local emulator in tests).', protocols: ['http', 'https'], default: 'https://api.twilio.com' }),
  TWILIO_LOOKUP_LIMIT: v.int({ description: 'twilio: messages to the same number an in-doubt lookup reads at most (newest first).', min: 1, max: 5_000, default: 200 }),

  VONAGE_API_KEY: v.string({ description: 'vonage (required): the API key.', ...optional }),
  VONAGE_API_SECRET: v.string({ description: 'vonage (required): the API secret.', ...optional, secret: true }),
  VONAGE_FROM: v.string({ description: 'vonage (required): the sender, a virtual number (digits) or an alphanumeric sender id.', ...optional }),
  VONAGE_API_URL: v.url({ description: 'vonage: where the SMS API is (the local emulator in tests).', protocols: ['http', 'https'], default: 'https://rest.nexmo.com' }),
  VONAGE_REPORTS_LOOKUP: v.bool({ description: 'vonage: resolve in-doubt sends through the Reports API by client-ref (a paid Vonage product); off: IN_DOUBT_POLICY decides.', default: false }),
  VONAGE_REPORTS_API_URL: v.url({ description: 'vonage: where the Reports API is.', protocols: ['http', 'https'], default: 'https://api.nexmo.com' }),

  SNS_REGION: v.string({ description: 'sns (required): the AWS region to publish in, e.g. eu-west-1.', ...optional, pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, hint: 'must be an AWS region such as eu-west-1' }),
  SNS_ENDPOINT: v.url({ description: 'sns: another endpoint (a VPC endpoint, the local emulator); empty: the region\'s.', protocols: ['http', 'https'], default: '' }),
  SNS_ACCESS_KEY_ID: v.string({ description: 'sns: access key id (with SNS_SECRET_ACCESS_KEY); empty: the SDK\'s default chain (IAM role, web identity).', ...optional }),
  SNS_SECRET_ACCESS_KEY: v.string({ description: 'sns: secret access key (with SNS_ACCESS_KEY_ID).', ...optional, secret: true }),
  SNS_SENDER_ID: v.string({ description: 'sns: AWS.SNS.SMS.SenderID, an alphanumeric sender id where the country allows one.', ...optional, pattern: /^[A-Za-z0-9]{1,11}$/, hint: 'must be 1 to 11 letters or digits' }),
  SNS_ORIGINATION_NUMBER: v.string({ description: 'sns: AWS.MM.SMS.OriginationNumber, a number of the account in E.164.', ...optional, pattern: /^\+[1-9]\d{6,14}$/, hint: 'must be E.164' }),
  SNS_SMS_TYPE: v.oneOf(['Transactional', 'Promotional'] as const, { description: 'sns: AWS.SNS.SMS.SMSType.', default: 'Transactional' }),
  SNS_CHECK_OPT_OUT: v.bool({ description: 'sns: ask CheckIfPhoneNumberIsOptedOut before each send and fail opted-out numbers with SNS_OPTED_OUT (Publish drops them silently).', default: false }),
};

export type SmsWorkerConfig = ConfigOf<typeof configSpec>;
type VarName = keyof SmsWorkerConfig & string;

/** What each provider needs: every group must have at least one variable set. */
const REQUIRED: Readonly<Record<SmsProviderName, ReadonlyArray<readonly VarName[]>>> = {
  http: [],
  twilio: [['TWILIO_ACCOUNT_SID'], ['TWILIO_AUTH_TOKEN'], ['TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID']],
  vonage: [['VONAGE_API_KEY'], ['VONAGE_API_SECRET'], ['VONAGE_FROM']],
  sns: [['SNS_REGION']],
};

/** Throws a ConfigError naming every variable the named providers need and do not have. */
export function checkProviderSettings(names: readonly SmsProviderName[], config: SmsWorkerConfig): void {
  const problems: string[] = [];
  for (const name of names) {
    for (const group of REQUIRED[name]) {
      if (group.every((v) => config[v] === '')) problems.push(`${group.join(' or ')} is required with SMS provider ${name}: ${configSpec[group[0] as VarName].description}`);
    }
  }
  if (names.includes('sns') && (config.SNS_ACCESS_KEY_ID === '') !== (config.SNS_SECRET_ACCESS_KEY === '')) {
    problems.push('SNS_ACCESS_KEY_ID and SNS_SECRET_ACCESS_KEY go together: set both, or neither for the default credential chain');
  }
  if (problems.length) throw new ConfigError(problems);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SmsWorkerConfig {
  const config = parseConfig(configSpec, env);
  deliveryPolicy(config); // cross-checks (throws ConfigError)
  if (new Set(config.SMS_PROVIDERS).size !== config.SMS_PROVIDERS.length) throw new ConfigError(['SMS_PROVIDERS names a provider twice']);
  checkProviderSettings(config.SMS_PROVIDERS as SmsProviderName[], config);
  checkRoutingConfig(config, config.SMS_PROVIDERS, 'SMS_PROVIDERS');
  return config;
}
