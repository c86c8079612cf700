/**
 * Amazon SNS, Publish to a phone number, through the official @aws-sdk/client-sns (its `endpoint`
 * option points it at the local emulator): PhoneNumber, Message and the SMS attributes
 * AWS.SNS.SMS.SMSType (Transactional or Promotional), AWS.SNS.SMS.SenderID and
 * AWS.MM.SMS.OriginationNumber where configured. Credentials are the static key pair when given,
 * else the SDK's default chain (IAM role, web identity, environment). The SDK's own retries are
 * off (maxAttempts 1): Herald's delivery policy retries, and an SDK retry after a 5xx could send twice.
 *
 * Errors from SNS's documented error codes: InvalidParameter, InvalidParameterValue and
 * ValidationException are permanent (an invalid number or message); throttling, authorization,
 * credentials and KMS errors are transient (a pause, or the operator's to fix); InternalError and
 * any 5xx are transient with an unknown outcome. The MessageId is the providerMessageId.
 *
 * SNS has no per-message delivery callback for SMS (delivery status goes to CloudWatch Logs
 * only), so "sent" is the last status Herald hears; and Publish to a phone number has neither an
 * idempotency key nor a lookup: an in-doubt send follows IN_DOUBT_POLICY. Publish does not refuse
 * an opted-out number (SNS drops it silently); with `checkOptOut` each send first asks
 * CheckIfPhoneNumberIsOptedOut and fails with SNS_OPTED_OUT instead.
 */
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import type { SmsJob } from '@herald/contracts';
import { ProviderError, type ProviderReceipt } from '@herald/delivery';
import { classifyNetworkError } from './network';
import type { SmsProvider } from './sms-provider';

export interface SnsSmsSettings {
  region: string;
  /** Another endpoint (the emulator, a VPC endpoint); default: the region's. */
  endpoint?: string;
  /** Static credentials; both or neither (then the SDK's default chain). */
  accessKeyId?: string;
  secretAccessKey?: string;
  senderId?: string;
  originationNumber?: string;
  smsType?: 'Transactional' | 'Promotional';
  /** Ask CheckIfPhoneNumberIsOptedOut before each Publish. */
  checkOptOut?: boolean;
}

const PERMANENT = new Set(['InvalidParameter', 'InvalidParameterValue', 'Validation', 'OptedOut']);
const TRANSIENT = new Set([
  'Throttled', 'Throttling', 'RequestLimitExceeded', 'TooManyRequests',
  'AuthorizationError', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClient', 'AccessDenied', 'ExpiredToken', 'InvalidSecurity',
  'KMSAccessDenied', 'KMSDisabled', 'KMSInvalidState', 'KMSNotFound', 'KMSOptInRequired', 'KMSThrottling',
  'EndpointDisabled', 'NotFound', 'PlatformApplicationDisabled',
]);

interface AwsServiceError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

function isServiceError(error: unknown): error is AwsServiceError {
  return error instanceof Error && typeof (error as AwsServiceError).$metadata?.httpStatusCode === 'number';
}

/** Classifies what the SNS client threw. */
export function classifySnsError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!isServiceError(error)) return classifyNetworkError(error);
  const base = error.name.replace(/Exception$/, '');
  const status = error.$metadata?.httpStatusCode ?? 0;
  const message = `SNS answered ${status} ${base}: ${error.message.slice(0, 300)}`;
  const code = `SNS_${base.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 64);
  if (PERMANENT.has(base)) return new ProviderError(message, { code, permanent: true, cause: error });
  if (status >= 500 || error.$fault === 'server') return new ProviderError(message, { code, permanent: false, outcomeUnknown: true, cause: error });
  if (TRANSIENT.has(base) || status === 429 || status === 401 || status === 403) return new ProviderError(message, { code, permanent: false, cause: error });
  return new ProviderError(message, { code, permanent: true, cause: error });
}

export class SnsSmsProvider implements SmsProvider {
  readonly name = 'sns';
  readonly idempotent = false;
  private readonly client: SNSClient;
  private readonly attributes: Record<string, MessageAttributeValue>;

  constructor(private readonly settings: SnsSmsSettings) {
    const { accessKeyId, secretAccessKey } = settings;
    this.client = new SNSClient({
      region: settings.region,
      maxAttempts: 1,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    });
    const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
    this.attributes = {
      'AWS.SNS.SMS.SMSType': string(settings.smsType ?? 'Transactional'),
      ...(settings.senderId ? { 'AWS.SNS.SMS.SenderID': string(settings.senderId) } : {}),
      ...(settings.originationNumber ? { 'AWS.MM.SMS.OriginationNumber': string(settings.originationNumber) } : {}),
    };
  }

  async send(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt> {
    if (this.settings.checkOptOut) await this.refuseOptedOut(job.to, signal);
    try {
      const result = await this.client.send(new PublishCommand({ PhoneNumber: job.to, Message: job.content.text, MessageAttributes: this.attributes }), { abortSignal: signal });
      return { providerMessageId: result.MessageId ?? null };
    } catch (error) {
      throw classifySnsError(error);
    }
  }

  /** Fails an opted-out number before Publish; a failed check is transient and certainly sent nothing. */
  private async refuseOptedOut(phoneNumber: string, signal: AbortSignal): Promise<void> {
    let optedOut: boolean | undefined;
    try {
      optedOut = (await this.client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }), { abortSignal: signal })).isOptedOut;
    } catch (error) {
      const e = classifySnsError(error);
      throw new ProviderError(`opt-out check failed: ${e.message}`, { code: e.code, permanent: e.permanent, outcomeUnknown: false, cause: error });
    }
    if (optedOut) throw new ProviderError('the number opted out of SMS from this AWS account (CheckIfPhoneNumberIsOptedOut)', { code: 'SNS_OPTED_OUT', permanent: true, suppress: 'opt_out' });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
