/**
 * Postmark emulator: the Email API, the outbound Messages search and webhooks with basic auth.
 *
 *   POST /email               X-Postmark-Server-Token (401 {ErrorCode: 10} otherwise); JSON
 *                             {From, To, Subject, TextBody/HtmlBody, ReplyTo, Headers, Metadata,
 *                             MessageStream}; 200 {To, SubmittedAt, MessageID, ErrorCode: 0,
 *                             Message: "OK"}; 422 {ErrorCode: 300, Message} for an invalid request
 *   GET  /messages/outbound   ?count&offset (required), recipient, messagestream, metadata_<key>=<value>:
 *                             {TotalCount, Messages}
 *
 * Webhooks (Delivery, Bounce, SpamComplaint, SubscriptionChange) go to the callback URL as JSON;
 * Postmark signs nothing, it authenticates with the basic-auth credentials written in the webhook
 * URL (https://user:pass@host/...): this emulator sends them as an Authorization header the same
 * way (or the webhookUsername / webhookPassword settings). Test recipients: Postmark's documented
 * black-hole domain, bounce-testing.postmarkapp.com, whose local part names the bounce type
 * (HardBounce@, SoftBounce@, Transient@, Unsubscribe@, Blocked@; any other: a hard bounce); other
 * domains follow the kit's convention (test-recipients.ts).
 *
 * Settings: serverToken (default postmark-emulator-token), webhookUsername, webhookPassword.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { parseJson, rawBodyScope } from '../kit/raw-body';
import { bareAddress, conventionalOutcomes } from '../kit/test-recipients';

const BLACK_HOLE = 'bounce-testing.postmarkapp.com';

const BLACK_HOLE_OUTCOMES: Readonly<Record<string, EmulatedOutcome[]>> = {
  hardbounce: ['bounced'],
  softbounce: ['soft_bounced'],
  transient: ['deferred'],
  unsubscribe: ['opted_out'],
  blocked: ['failed'],
};

export function postmarkOutcomes(to: string): EmulatedOutcome[] {
  const [local = '', domain = ''] = to.toLowerCase().split('@');
  if (domain === BLACK_HOLE) return BLACK_HOLE_OUTCOMES[local.replace(/_/g, '')] ?? ['bounced'];
  return conventionalOutcomes(to);
}

interface EmailBody {
  From?: string;
  To?: string;
  Subject?: string;
  TextBody?: string;
  HtmlBody?: string;
  ReplyTo?: string;
  Headers?: Array<{ Name?: string; Value?: string }>;
  Metadata?: Record<string, string>;
  MessageStream?: string;
  Tag?: string;
}

const apiError = (status: number, code: number, message: string) => ({ status, body: { ErrorCode: code, Message: message } });

function faultError(fault: Fault): { status: number; body: unknown } {
  const status = fault.status ?? 500;
  if (status === 401) return apiError(401, 10, 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.');
  if (status === 429) return apiError(429, 429, 'Rate limit exceeded.');
  if (status >= 500) return apiError(status, 0, 'Internal Server Error');
  return apiError(status, Number(fault.code ?? 300) || 300, `Emulated error ${fault.code ?? 300}`);
}

/** The webhook payload for one outcome. */
function record(message: StoredMessage, outcome: EmulatedOutcome): Record<string, unknown> {
  const common = { MessageID: message.id, MessageStream: message.extra['messageStream'] ?? 'outbound', Metadata: message.extra['metadata'] ?? {}, Tag: message.extra['tag'] ?? '', ServerID: 1 };
  const now = new Date().toISOString();
  const bounce = (type: string, typeCode: number, name: string, inactive: boolean) => ({
    RecordType: 'Bounce',
    ID: randomInt(1, 2 ** 31),
    Type: type,
    TypeCode: typeCode,
    Name: name,
    Email: message.to,
    From: message.from,
    BouncedAt: now,
    Description: name,
    Details: `emulated ${type}`,
    Inactive: inactive,
    CanActivate: true,
    Subject: message.subject,
    ...common,
  });
  switch (outcome) {
    case 'delivered':
      return { RecordType: 'Delivery', Recipient: message.to, DeliveredAt: now, Details: 'Test delivery webhook details', ...common };
    case 'bounced':
      return bounce('HardBounce', 1, 'Hard bounce', true);
    case 'soft_bounced':
      return bounce('SoftBounce', 4096, 'Soft bounce', false);
    case 'deferred':
      return bounce('Transient', 2, 'Message delayed', false);
    case 'failed':
    case 'undelivered':
      return bounce('Blocked', 100006, 'ISP block', false);
    case 'complained':
      return { ...bounce('SpamComplaint', 100001, 'Spam complaint', true), RecordType: 'SpamComplaint' };
    case 'opted_out':
      return { RecordType: 'SubscriptionChange', Recipient: message.to, ChangedAt: now, SuppressSending: true, SuppressionReason: 'ManualSuppression', Origin: 'Recipient', ...common };
  }
}

export class PostmarkEmulator implements ProviderEmulator {
  readonly provider = 'postmark';
  readonly channel = 'email' as const;

  register(emulator: Emulator): Promise<void> {
    const token = emulator.setting('serverToken', 'postmark-emulator-token');
    const authorized = (request: FastifyRequest) => request.headers['x-postmark-server-token'] === token;
    const unauthorized = (reply: FastifyReply) => reply.code(401).send(faultError({ status: 401 }).body);
    return rawBodyScope(emulator.app, (scope) => {
      scope.post('/email', (request, reply) => (authorized(request) ? this.send(emulator, parseJson(request.body as Buffer) as EmailBody | undefined, reply) : unauthorized(reply)));
      scope.get<{ Querystring: Record<string, string | undefined> }>('/messages/outbound', async (request, reply) => {
        if (!authorized(request)) return unauthorized(reply);
        const q = request.query;
        const count = Number(q['count']);
        const offset = Number(q['offset']);
        if (!Number.isInteger(count) || !Number.isInteger(offset) || count < 1 || count > 500) return reply.code(422).send(apiError(422, 701, 'The count and offset parameters are required (count at most 500).').body);
        const metadata = Object.entries(q).filter(([k]) => k.startsWith('metadata_')).map(([k, v]) => [k.slice('metadata_'.length), v] as const);
        const matching = emulator.messages.filter(
          (m) =>
            (!q['recipient'] || m.to === q['recipient']) &&
            (!q['messagestream'] || m.extra['messageStream'] === q['messagestream']) &&
            metadata.every(([k, v]) => (m.extra['metadata'] as Record<string, string> | undefined)?.[k] === v),
        );
        const page = [...matching].reverse().slice(offset, offset + count);
        return {
          TotalCount: matching.length,
          Messages: page.map((m) => ({ MessageID: m.id, To: [{ Email: m.to, Name: null }], Recipients: [m.to], From: m.from, Subject: m.subject, Status: 'Sent', ReceivedAt: m.receivedAt, MessageStream: m.extra['messageStream'], Metadata: m.extra['metadata'] })),
        };
      });
    });
  }

  credentials(): Record<string, unknown> {
    return {};
  }

  private send(emulator: Emulator, body: EmailBody | undefined, reply: FastifyReply): Promise<unknown> | FastifyReply {
    if (!body || typeof body !== 'object') return reply.code(422).send(apiError(422, 402, 'Received invalid JSON input.').body);
    if (!body.From) return reply.code(422).send(apiError(422, 300, "Invalid 'From' address: ''.").body);
    if (!body.To) return reply.code(422).send(apiError(422, 300, "Zero recipients specified").body);
    if (!body.TextBody && !body.HtmlBody) return reply.code(422).send(apiError(422, 300, 'Provide either email TextBody or HtmlBody or both.').body);
    const to = bareAddress(body.To);
    const id = randomUUID();
    const headers = Object.fromEntries((body.Headers ?? []).map((h) => [h.Name ?? '', h.Value ?? '']));
    return emulator.send({
      reply,
      to,
      message: (): StoredMessage => ({
        id,
        to,
        from: bareAddress(body.From ?? ''),
        subject: body.Subject ?? null,
        text: body.TextBody ?? null,
        html: body.HtmlBody ?? null,
        extra: { fromHeader: body.From, replyTo: body.ReplyTo ?? null, headers, metadata: body.Metadata ?? {}, messageStream: body.MessageStream ?? 'outbound', tag: body.Tag ?? '' },
        receivedAt: new Date().toISOString(),
      }),
      error: faultError,
      defaultOutcomes: postmarkOutcomes,
      receipts: (message, outcomes) => outcomes.map((outcome) => this.receipt(emulator, message, outcome)),
      respond: (message) => ({ To: body.To, SubmittedAt: message.receivedAt, MessageID: message.id, ErrorCode: 0, Message: 'OK' }),
    });
  }

  private receipt(emulator: Emulator, message: StoredMessage, outcome: EmulatedOutcome): RenderedReceipt {
    const target = new URL(emulator.callbackUrl ?? 'http://127.0.0.1/');
    const username = decodeURIComponent(target.username) || emulator.setting('webhookUsername', '');
    const password = decodeURIComponent(target.password) || emulator.setting('webhookPassword', '');
    target.username = '';
    target.password = '';
    const auth: Record<string, string> = username || password ? { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } : {};
    return { url: target.toString(), headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(record(message, outcome)) };
  }
}
