/**
 * Amazon SES through the SESv2 API (SendEmail, simple content) with the official SDK. Every email
 * names the configuration set (SES_CONFIGURATION_SET) whose event destination publishes
 * deliveries, bounces and complaints to SNS, and carries Herald's ids as message tags (SES echoes
 * them in every event). SES replaces any Message-ID header with its own (documented), so the
 * provider message id is SES' MessageId, which its events carry as mail.messageId.
 *
 * The SDK's own retries are off (maxAttempts 1): Herald retries, after classifying the failure,
 * and a silent SDK retry after a reset could send the email twice.
 */
import { SESv2Client, SendEmailCommand, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import type { EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from '@herald/delivery';
import { emailParts, formatMailbox, type SenderDefaults } from './email-parts';
import { classifySesError } from './ses-error';

export interface SesSettings extends SenderDefaults {
  region: string;
  /** Another endpoint than AWS' (an emulator, a VPC endpoint); empty: the region's. */
  endpoint?: string;
  /** Static credentials; absent: the SDK's default chain (IRSA, instance profile, env). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  configurationSet?: string;
  timeoutMs: number;
}

export class SesProvider implements DeliveryProvider<EmailJob> {
  readonly name = 'ses';
  readonly idempotent = false;
  private readonly client: SESv2Client;

  constructor(private readonly settings: SesSettings) {
    const config: SESv2ClientConfig = {
      region: settings.region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs },
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    };
    this.client = new SESv2Client(config);
  }

  /** The SendEmail request for a job (exported for tests). */
  request(job: EmailJob): ConstructorParameters<typeof SendEmailCommand>[0] {
    const parts = emailParts(job, this.settings);
    const { content } = job;
    return {
      FromEmailAddress: formatMailbox(parts.from, { encodeNonAscii: true }),
      Destination: { ToAddresses: [job.to] },
      ...(parts.replyTo ? { ReplyToAddresses: [parts.replyTo] } : {}),
      Content: {
        Simple: {
          Subject: { Data: content.subject, Charset: 'UTF-8' },
          Body: {
            ...(content.text ? { Text: { Data: content.text, Charset: 'UTF-8' } } : {}),
            ...(content.html ? { Html: { Data: content.html, Charset: 'UTF-8' } } : {}),
          },
          Headers: Object.entries(parts.headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
      EmailTags: Object.entries(parts.ids).map(([Name, Value]) => ({ Name, Value })),
      ...(this.settings.configurationSet ? { ConfigurationSetName: this.settings.configurationSet } : {}),
    };
  }

  async send(job: EmailJob, signal: AbortSignal): Promise<ProviderReceipt> {
    let output;
    try {
      output = await this.client.send(new SendEmailCommand(this.request(job)), { abortSignal: signal });
    } catch (error) {
      throw classifySesError(error);
    }
    if (!output.MessageId) throw new ProviderError('SES answered without a MessageId', { code: 'SES_NO_MESSAGE_ID', permanent: false, outcomeUnknown: true });
    return { providerMessageId: output.MessageId };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
