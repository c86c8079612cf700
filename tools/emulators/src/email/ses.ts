/**
 * Amazon SES (API v2) emulator: SendEmail in front of aws-ses-v2-local, events through SNS.
 *
 *   POST /v2/email/outbound-emails   SigV4-signed (403 UnrecognizedClientException for an unknown
 *                                    access key, 403 InvalidSignatureException for a bad
 *                                    signature); the request goes on to aws-ses-v2-local (the
 *                                    published SES emulator: it checks the request's shape,
 *                                    assigns the MessageId, keeps the email for its viewer and
 *                                    GET /store); 404 NotFoundException for a configuration set
 *                                    other than the `configurationSet` setting
 *
 * Errors are rendered as SES' REST-JSON protocol does (x-amzn-ErrorType header, {"message"}), so
 * the SDK raises the named exception. Events are published the way a configuration set's SNS
 * event destination does: SNS Notifications (signature version 1 or 2, see sns-signing.ts) whose
 * Message is the SES event JSON (eventType Delivery, Bounce, Complaint, Reject, DeliveryDelay,
 * Subscription), with the message's tags. Test recipients: SES' mailbox simulator
 * (success@, bounce@, ooto@, complaint@, suppressionlist@simulator.amazonses.com, labels allowed);
 * other domains follow the kit's convention (test-recipients.ts).
 *
 *   POST /_emulator/sns/subscribe    sends a signed SubscriptionConfirmation to the callback URL
 *   GET  /_emulator/sns/subscriptions  { confirmed: { topicArn: [tokens] } }
 *
 * Settings: accessKeyId (default AKIAEMULATOR), secretAccessKey (default emulator-secret),
 * configurationSet (default herald), topicArn (default arn:aws:sns:us-east-1:123456789012:herald-ses-events),
 * signatureVersion (1 or 2, default 2), certPort (default: any free port).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import sesLocal from 'aws-ses-v2-local';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmulatedRefusal, type Emulator, type ProviderEmulator, type StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { parseJson, rawBodyScope } from '../kit/raw-body';
import { bareAddress, conventionalOutcomes } from '../kit/test-recipients';
import { startSnsSigner, type SnsSigner } from './sns-signing';

const SIMULATOR = 'simulator.amazonses.com';

const SIMULATOR_OUTCOMES: Readonly<Record<string, EmulatedOutcome[]>> = {
  success: ['delivered'],
  bounce: ['bounced'],
  ooto: ['delivered'],
  complaint: ['delivered', 'complained'],
  suppressionlist: ['failed'],
};

export function sesOutcomes(to: string): EmulatedOutcome[] {
  const [local = '', domain = ''] = to.toLowerCase().split('@');
  if (domain === SIMULATOR) return SIMULATOR_OUTCOMES[local.split('+')[0] ?? ''] ?? ['delivered'];
  return conventionalOutcomes(to);
}

interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  ReplyToAddresses?: string[];
  Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } }; Headers?: Array<{ Name: string; Value: string }> } };
  EmailTags?: Array<{ Name: string; Value: string }>;
  ConfigurationSetName?: string;
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  MessageRejected: 400,
  MailFromDomainNotVerifiedException: 400,
  AccountSuspendedException: 400,
  SendingPausedException: 400,
  LimitExceededException: 400,
  BadRequestException: 400,
  NotFoundException: 404,
  TooManyRequestsException: 429,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

function awsError(status: number, type: string, message: string) {
  return { status, headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, 'x-amzn-requestid': randomUUID() }, body: { message } };
}

function faultError(fault: Fault) {
  const code = fault.code ?? (fault.status === 429 ? 'TooManyRequestsException' : (fault.status ?? 500) >= 500 ? 'InternalFailure' : 'BadRequestException');
  return awsError(fault.status ?? STATUS_BY_CODE[code] ?? 400, code, code === 'MessageRejected' ? 'Email address is not verified.' : `Emulated ${code}`);
}

/** The SES event (as a configuration set publishes it) for one outcome. */
function sesEvent(message: StoredMessage, outcome: EmulatedOutcome): Record<string, unknown> {
  const now = new Date().toISOString();
  const extra = message.extra as { tags?: Record<string, string[]>; headers?: Array<{ name: string; value: string }>; fromHeader?: string };
  const mail = {
    timestamp: message.receivedAt,
    source: message.from,
    sendingAccountId: '123456789012',
    messageId: message.id,
    destination: [message.to],
    headersTruncated: false,
    headers: extra.headers ?? [],
    commonHeaders: { from: [extra.fromHeader ?? message.from], to: [message.to], messageId: message.id, subject: message.subject },
    tags: extra.tags ?? {},
  };
  const recipient = { emailAddress: message.to };
  const feedbackId = `${randomBytes(8).toString('hex')}-${randomUUID()}-000000`;
  switch (outcome) {
    case 'delivered':
      return { eventType: 'Delivery', mail, delivery: { timestamp: now, processingTimeMillis: 320, recipients: [message.to], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'a1-1.smtp-out.amazonses.com' } };
    case 'bounced':
      return { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ ...recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: now, feedbackId, reportingMTA: 'dsn; a1-1.smtp-out.amazonses.com' } };
    case 'soft_bounced':
      return { eventType: 'Bounce', mail, bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ ...recipient, action: 'failed', status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 mailbox full' }], timestamp: now, feedbackId } };
    case 'failed':
    case 'undelivered':
      return { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList', bouncedRecipients: [{ ...recipient }], timestamp: now, feedbackId } };
    case 'complained':
      return { eventType: 'Complaint', mail, complaint: { complainedRecipients: [recipient], timestamp: now, feedbackId, complaintFeedbackType: 'abuse', userAgent: 'Emulated feedback loop', arrivalDate: now } };
    case 'deferred':
      return { eventType: 'DeliveryDelay', mail, deliveryDelay: { timestamp: now, delayType: 'TransientCommunicationFailure', expirationTime: new Date(Date.now() + 86_400_000).toISOString(), delayedRecipients: [{ ...recipient, status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 try again later' }] } };
    case 'opted_out':
      return { eventType: 'Subscription', mail, subscription: { contactList: 'emulated', timestamp: now, source: 'UnsubscribeHeader', newTopicPreferences: { unsubscribeAll: true }, oldTopicPreferences: { unsubscribeAll: false } } };
  }
}

export class SesEmulator implements ProviderEmulator {
  readonly provider = 'ses';
  readonly channel = 'email' as const;
  private sns!: SnsSigner;
  private inner!: Server;
  private innerUrl = '';
  private topicArn = '';

  async register(emulator: Emulator): Promise<void> {
    const certPort = Number(emulator.setting('certPort', '0'));
    this.sns = await startSnsSigner({ port: certPort });
    this.inner = await sesLocal({ host: '127.0.0.1', port: 0 });
    this.innerUrl = `http://127.0.0.1:${(this.inner.address() as AddressInfo).port}`;
    this.topicArn = emulator.setting('topicArn', 'arn:aws:sns:us-east-1:123456789012:herald-ses-events');
    const credentials = { accessKeyId: emulator.setting('accessKeyId', 'AKIAEMULATOR'), secretAccessKey: emulator.setting('secretAccessKey', 'emulator-secret') };
    const configurationSet = emulator.setting('configurationSet', 'herald');
    const version = emulator.setting('signatureVersion', '2') === '1' ? '1' : '2';
    await rawBodyScope(emulator.app, (scope) => {
      scope.post('/v2/email/outbound-emails', async (request, reply) => {
        const refused = await this.authenticate(request, credentials);
        if (refused) return reply.code(refused.status).headers(refused.headers).send(refused.body);
        const body = parseJson(request.body as Buffer) as SendEmailBody | undefined;
        if (body?.ConfigurationSetName && body.ConfigurationSetName !== configurationSet) {
          const e = awsError(404, 'NotFoundException', `Configuration set <${body.ConfigurationSetName}> does not exist.`);
          return reply.code(e.status).headers(e.headers).send(e.body);
        }
        return this.send(emulator, request.body as Buffer, body ?? {}, reply, version);
      });
    });
    emulator.app.post('/_emulator/sns/subscribe', async () => {
      const token = randomBytes(32).toString('hex');
      const message = this.sns.sign(
        {
          Type: 'SubscriptionConfirmation',
          MessageId: randomUUID(),
          Token: token,
          TopicArn: this.topicArn,
          Message: `You have chosen to subscribe to the topic ${this.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
          SubscribeURL: this.sns.subscribeUrl(this.topicArn, token),
          Timestamp: new Date().toISOString(),
        },
        version,
      );
      await emulator.receipts.dispatch([this.render(emulator, message)]);
      return { sent: true, token };
    });
    emulator.app.get('/_emulator/sns/subscriptions', async () => ({ confirmed: Object.fromEntries(this.sns.confirmed) }));
  }

  credentials(): Record<string, unknown> {
    return { certificatePem: this.sns.certificatePem, certHost: 'localhost', topicArn: this.topicArn, sesLocalUrl: this.innerUrl };
  }

  async close(): Promise<void> {
    await this.sns?.close();
    await new Promise<void>((resolve) => {
      if (!this.inner) return resolve();
      this.inner.close(() => resolve());
      this.inner.closeAllConnections();
    });
  }

  /** Checks the SigV4 signature the way SES does; returns SES' answer when it fails. */
  private async authenticate(request: FastifyRequest, credentials: { accessKeyId: string; secretAccessKey: string }) {
    const auth = request.headers.authorization ?? '';
    const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!parsed) return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, accessKeyId, , region = 'us-east-1', service = 'ses', signedHeaders = '', signature = ''] = parsed;
    if (accessKeyId !== credentials.accessKeyId) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!date) return awsError(400, 'IncompleteSignatureException', 'Date must be in ISO-8601 basic format.');
    const signingDate = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6])));
    if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return awsError(403, 'InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes from now.');
    const names = signedHeaders.split(';');
    const headers: Record<string, string> = {};
    for (const name of names) {
      const value = request.headers[name];
      headers[name] = Array.isArray(value) ? value.join(',') : String(value ?? '');
    }
    const url = new URL(request.url, 'http://emulator');
    const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
    const signed = await signer.sign(
      { method: request.method, protocol: 'http:', hostname: headers['host'] ?? url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: request.body as Buffer },
      { signingDate, signableHeaders: new Set(names) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1] ?? '';
    const ok = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    return ok ? undefined : awsError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }

  private send(emulator: Emulator, raw: Buffer, body: SendEmailBody, reply: FastifyReply, version: '1' | '2'): Promise<unknown> {
    const to = bareAddress(body.Destination?.ToAddresses?.[0] ?? '');
    return emulator.send({
      reply,
      to,
      message: async (): Promise<StoredMessage> => {
        // aws-ses-v2-local checks the request's shape and assigns the MessageId.
        const answer = await fetch(`${this.innerUrl}/v2/email/outbound-emails`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 forwarded' }, body: new Uint8Array(raw) });
        const result = (await answer.json().catch(() => ({}))) as { MessageId?: string; message?: string; detail?: string };
        if (!answer.ok || !result.MessageId) {
          throw new EmulatedRefusal(awsError(answer.status === 404 ? 404 : 400, answer.status === 404 ? 'NotFoundException' : 'BadRequestException', result.detail ?? result.message ?? 'Bad Request'));
        }
        const simple = body.Content?.Simple;
        const tags: Record<string, string[]> = { 'ses:configuration-set': [body.ConfigurationSetName ?? ''] };
        for (const tag of body.EmailTags ?? []) tags[tag.Name] = [tag.Value];
        return {
          id: result.MessageId,
          to,
          from: bareAddress(body.FromEmailAddress ?? ''),
          subject: simple?.Subject?.Data ?? null,
          text: simple?.Body?.Text?.Data ?? null,
          html: simple?.Body?.Html?.Data ?? null,
          extra: {
            fromHeader: body.FromEmailAddress ?? null,
            replyTo: body.ReplyToAddresses?.[0] ?? null,
            headers: (simple?.Headers ?? []).map((h) => ({ name: h.Name, value: h.Value })),
            tags,
            configurationSet: body.ConfigurationSetName ?? null,
          },
          receivedAt: new Date().toISOString(),
        };
      },
      error: faultError,
      defaultOutcomes: sesOutcomes,
      receipts: (message, outcomes) => outcomes.map((outcome) => this.notification(emulator, message, outcome, version)),
      respond: (message) => ({ MessageId: message.id }),
    });
  }

  private notification(emulator: Emulator, message: StoredMessage, outcome: EmulatedOutcome, version: '1' | '2'): RenderedReceipt {
    const signed = this.sns.sign({ Type: 'Notification', MessageId: randomUUID(), TopicArn: this.topicArn, Message: JSON.stringify(sesEvent(message, outcome)), Timestamp: new Date().toISOString() }, version);
    signed['UnsubscribeURL'] = `https://${this.sns.host}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${this.topicArn}:emulated`)}`;
    return this.render(emulator, signed);
  }

  /** An SNS HTTP delivery of a signed message. */
  private render(emulator: Emulator, message: Record<string, string>): RenderedReceipt {
    return {
      url: emulator.callbackUrl ?? '',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': message['Type'] ?? 'Notification',
        'x-amz-sns-message-id': message['MessageId'] ?? '',
        'x-amz-sns-topic-arn': this.topicArn,
        ...(message['Type'] === 'Notification' ? { 'x-amz-sns-subscription-arn': `${this.topicArn}:emulated` } : {}),
        'user-agent': 'Amazon Simple Notification Service Agent',
      },
      body: JSON.stringify(message),
    };
  }
}
