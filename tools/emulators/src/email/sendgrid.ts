/**
 * SendGrid emulator: the v3 Mail Send API and the signed Event Webhook.
 *
 *   POST /v3/mail/send   Authorization: Bearer <apiKey>; 202 with X-Message-Id; 400 with
 *                        {errors: [{message, field, help}]} for an invalid body or a reserved header
 *
 * Events go to the callback URL as SendGrid posts them: a JSON array, signed with ECDSA (P-256,
 * SHA-256) over timestamp + body, in X-Twilio-Email-Event-Webhook-Signature (base64 DER) and
 * X-Twilio-Email-Event-Webhook-Timestamp. The key pair is generated at start (or given as the
 * `privateKey` setting, PKCS#8 PEM); GET /_emulator/credentials gives the public key as SendGrid's
 * settings page shows it (base64 DER, SubjectPublicKeyInfo). SendGrid documents no test
 * recipients: the kit's convention (bounce@, complaint@, ...; test-recipients.ts) applies.
 *
 * Settings: apiKey (default SG.emulator), privateKey.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { parseJson, rawBodyScope } from '../kit/raw-body';
import { conventionalOutcomes } from '../kit/test-recipients';

/** Headers SendGrid refuses in `headers` (its documented reserved list). */
const RESERVED_HEADERS = ['x-sg-id', 'x-sg-eid', 'received', 'dkim-signature', 'content-type', 'content-transfer-encoding', 'to', 'from', 'subject', 'reply-to', 'cc', 'bcc'];

interface MailBody {
  personalizations?: Array<{ to?: Array<{ email?: string; name?: string }>; subject?: string; custom_args?: Record<string, string>; headers?: Record<string, string> }>;
  from?: { email?: string; name?: string };
  reply_to?: { email?: string; name?: string };
  subject?: string;
  content?: Array<{ type?: string; value?: string }>;
  headers?: Record<string, string>;
  custom_args?: Record<string, string>;
}

const error = (status: number, message: string, field: string | null = null, help?: string) => ({ status, body: { errors: [{ message, field, ...(help ? { help } : {}) }] } });

function validate(body: MailBody | undefined): { status: number; body: unknown } | undefined {
  if (!body || typeof body !== 'object') return error(400, 'Bad Request', null);
  const to = body.personalizations?.[0]?.to?.[0]?.email;
  if (!to) return error(400, 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', 'personalizations.0.to');
  if (!body.from?.email) return error(400, 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.', 'from.email');
  if (!body.subject && !body.personalizations?.[0]?.subject) return error(400, 'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', 'subject');
  const content = body.content ?? [];
  if (content.length === 0 || content.some((c) => !c.type || typeof c.value !== 'string' || c.value.length === 0)) {
    return error(400, 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.', 'content');
  }
  if (content.length > 1 && content[0]?.type !== 'text/plain') return error(400, 'If present, text/plain content must be first, followed by any other content.', 'content');
  for (const name of Object.keys(body.headers ?? {})) {
    if (RESERVED_HEADERS.includes(name.toLowerCase())) return error(400, `The header "${name}" is reserved and cannot be set.`, 'headers');
  }
  return undefined;
}

function faultError(fault: Fault): { status: number; headers?: Record<string, string>; body: unknown } {
  const status = fault.status ?? 500;
  if (status === 401) return { status, body: { errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] } };
  if (status === 403) return { status, body: { errors: [{ field: null, message: fault.code ?? 'The from address does not match a verified Sender Identity.' }] } };
  if (status === 413) return { status, body: { errors: [{ field: null, message: 'Payload Too Large' }] } };
  if (status === 429) return { status, headers: { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) }, body: { errors: [{ field: null, message: 'too many requests' }] } };
  if (status >= 500) return { status, body: { errors: [{ field: null, message: 'internal error' }] } };
  return error(status, fault.code ?? 'Bad Request', null);
}

/** SendGrid's event name (and extra fields) for each emulated outcome. */
function eventFields(outcome: EmulatedOutcome): Record<string, unknown> {
  switch (outcome) {
    case 'delivered':
      return { event: 'delivered', response: '250 2.0.0 OK' };
    case 'bounced':
      return { event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist.', bounce_classification: 'Invalid Address' };
    case 'soft_bounced':
      return { event: 'bounce', type: 'blocked', status: '4.2.2', reason: '452 4.2.2 The email account that you tried to reach is over quota.', bounce_classification: 'Mailbox Unavailable' };
    case 'complained':
      return { event: 'spamreport' };
    case 'failed':
    case 'undelivered':
      return { event: 'dropped', reason: 'Bounced Address' };
    case 'deferred':
      return { event: 'deferred', response: '421 4.7.0 Try again later', attempt: '1' };
    case 'opted_out':
      return { event: 'unsubscribe' };
  }
}

export class SendGridEmulator implements ProviderEmulator {
  readonly provider = 'sendgrid';
  readonly channel = 'email' as const;
  private privateKey!: KeyObject;
  private publicKeyBase64 = '';

  register(emulator: Emulator): Promise<void> {
    const given = emulator.setting('privateKey', '');
    this.privateKey = given ? createPrivateKey(given) : generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    this.publicKeyBase64 = createPublicKey(this.privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
    const apiKey = emulator.setting('apiKey', 'SG.emulator');
    return rawBodyScope(emulator.app, (scope) => {
      scope.post('/v3/mail/send', (request, reply) => this.send(emulator, apiKey, request, reply));
    });
  }

  credentials(): Record<string, unknown> {
    return { publicKey: this.publicKeyBase64 };
  }

  private async send(emulator: Emulator, apiKey: string, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const auth = request.headers.authorization;
    if (!auth) return reply.code(401).send({ errors: [{ field: null, message: 'authorization required' }] });
    if (auth !== `Bearer ${apiKey}`) return reply.code(401).send({ errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] });
    const body = parseJson(request.body as Buffer) as MailBody | undefined;
    const invalid = validate(body);
    if (invalid) return reply.code(invalid.status).send(invalid.body);
    const mail = body as MailBody;
    const personalization = mail.personalizations?.[0] ?? {};
    const to = personalization.to?.[0]?.email ?? '';
    const id = randomBytes(16).toString('base64url').slice(0, 22);
    return emulator.send({
      reply,
      to,
      message: (): StoredMessage => ({
        id,
        to,
        from: mail.from?.email ?? null,
        subject: personalization.subject ?? mail.subject ?? null,
        text: mail.content?.find((c) => c.type === 'text/plain')?.value ?? null,
        html: mail.content?.find((c) => c.type === 'text/html')?.value ?? null,
        extra: {
          fromName: mail.from?.name ?? null,
          replyTo: mail.reply_to?.email ?? null,
          headers: { ...(mail.headers ?? {}), ...(personalization.headers ?? {}) },
          customArgs: { ...(mail.custom_args ?? {}), ...(personalization.custom_args ?? {}) },
        },
        receivedAt: new Date().toISOString(),
      }),
      error: faultError,
      defaultOutcomes: conventionalOutcomes,
      receipts: (message, outcomes) => outcomes.map((outcome) => this.receipt(emulator, message, outcome)),
      respond: () => {
        reply.header('x-message-id', id);
        return '';
      },
      successStatus: 202,
    });
  }

  /** One event-webhook POST (a one-event array, as SendGrid may batch them). */
  private receipt(emulator: Emulator, message: StoredMessage, outcome: EmulatedOutcome): RenderedReceipt {
    const customArgs = (message.extra['customArgs'] as Record<string, string> | undefined) ?? {};
    const headers = (message.extra['headers'] as Record<string, string> | undefined) ?? {};
    const event = {
      email: message.to,
      timestamp: Math.floor(Date.now() / 1000),
      'smtp-id': headers['Message-ID'] ?? `<${message.id}@emulator.sendgrid.net>`,
      sg_event_id: randomBytes(16).toString('base64url'),
      sg_message_id: `${message.id}.recvd-emulator-${randomUUID().slice(0, 8)}-0`,
      ...eventFields(outcome),
      ...customArgs,
    };
    const body = JSON.stringify([event]);
    return { url: emulator.callbackUrl ?? '', headers: { 'content-type': 'application/json', ...this.sign(body) }, body };
  }

  /** The signature headers for a body, signed now. */
  sign(body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
    const signature = sign('sha256', Buffer.from(timestamp + body), this.privateKey).toString('base64');
    return { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp };
  }
}
