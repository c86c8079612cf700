/**
 * Mailgun emulator: the Messages and Events APIs and signed webhooks.
 *
 *   POST /v3/{domain}/messages   Basic api:<apiKey> (401 "Forbidden" otherwise); a multipart or
 *                                urlencoded form (from, to, subject, text/html, h:*, v:*, o:*);
 *                                200 {id, message: "Queued. Thank you."}; 400 {message} for a
 *                                missing parameter, 404 for an unknown domain
 *   GET  /v3/{domain}/events     ?message-id=... (no angle brackets): {items, paging}, the
 *                                `accepted` event of each stored message
 *
 * The id is the h:Message-Id the sender set (Mailgun keeps it), else one of its own. Webhooks go to
 * the callback URL as Mailgun posts them: JSON {signature: {timestamp, token, signature},
 * "event-data": {...}} where signature = HMAC-SHA256(webhook signing key, timestamp + token), hex.
 * Mailgun documents no test recipients: the kit's convention (test-recipients.ts) applies.
 *
 * Settings: apiKey (default key-emulator), domain (default mg.example.com; others 404),
 * webhookSigningKey (default emulator-webhook-signing-key).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { parseForm, rawBodyScope } from '../kit/raw-body';
import { bareAddress, conventionalOutcomes } from '../kit/test-recipients';

function faultError(fault: Fault): { status: number; body: unknown; contentType?: string } {
  const status = fault.status ?? 500;
  if (status === 401) return { status, body: 'Forbidden', contentType: 'text/plain' };
  if (status === 429) return { status, body: { message: 'Too many requests' } };
  if (status >= 500) return { status, body: { message: 'Internal Server Error' } };
  return { status, body: { message: fault.code ?? 'Bad Request' } };
}

/** Mailgun's event (and extra fields) for each emulated outcome. */
function eventFields(outcome: EmulatedOutcome): Record<string, unknown> {
  switch (outcome) {
    case 'delivered':
      return { event: 'delivered', 'delivery-status': { code: 250, message: 'OK', description: '', 'attempt-no': 1 } };
    case 'bounced':
      return { event: 'failed', severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, message: '5.1.1 The email account that you tried to reach does not exist', description: '', 'attempt-no': 1 } };
    case 'soft_bounced':
      return { event: 'failed', severity: 'temporary', reason: 'generic', 'delivery-status': { code: 452, message: '4.2.2 Mailbox full', description: '', 'attempt-no': 1 } };
    case 'deferred':
      return { event: 'failed', severity: 'temporary', reason: 'generic', 'delivery-status': { code: 421, message: '4.7.0 Try again later', description: '', 'attempt-no': 1 } };
    case 'failed':
    case 'undelivered':
      return { event: 'failed', severity: 'permanent', reason: 'suppress-bounce', 'delivery-status': { code: 605, message: 'Not delivering to previously bounced address', description: '', 'attempt-no': 1 } };
    case 'complained':
      return { event: 'complained' };
    case 'opted_out':
      return { event: 'unsubscribed' };
  }
}

export class MailgunEmulator implements ProviderEmulator {
  readonly provider = 'mailgun';
  readonly channel = 'email' as const;
  private signingKey = '';

  register(emulator: Emulator): Promise<void> {
    const apiKey = emulator.setting('apiKey', 'key-emulator');
    const domain = emulator.setting('domain', 'mg.example.com');
    this.signingKey = emulator.setting('webhookSigningKey', 'emulator-webhook-signing-key');
    const authorized = (request: FastifyRequest) => request.headers.authorization === `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
    return rawBodyScope(emulator.app, (scope) => {
      scope.post<{ Params: { domain: string } }>('/v3/:domain/messages', async (request, reply) => {
        if (!authorized(request)) return reply.code(401).type('text/plain').send('Forbidden');
        if (request.params.domain !== domain) return reply.code(404).send({ message: `Domain not found: ${request.params.domain}` });
        return this.send(emulator, domain, await parseForm(request.body as Buffer, request.headers['content-type']), reply);
      });
      scope.get<{ Params: { domain: string }; Querystring: Record<string, string | undefined> }>('/v3/:domain/events', async (request, reply) => {
        if (!authorized(request)) return reply.code(401).type('text/plain').send('Forbidden');
        if (request.params.domain !== domain) return reply.code(404).send({ message: `Domain not found: ${request.params.domain}` });
        const wanted = request.query['message-id'];
        const limit = Math.min(300, Number(request.query['limit'] ?? 100) || 100);
        const items = emulator.messages
          .filter((m) => wanted === undefined || m.id.replace(/^<|>$/g, '') === wanted)
          .slice(0, limit)
          .map((m) => ({ event: 'accepted', id: randomUUID(), timestamp: Date.parse(m.receivedAt) / 1000, recipient: m.to, message: { headers: { 'message-id': m.id.replace(/^<|>$/g, ''), to: m.to, from: m.from, subject: m.subject } }, 'user-variables': m.extra['variables'] }));
        return { items, paging: {} };
      });
    });
  }

  credentials(): Record<string, unknown> {
    return { webhookSigningKey: this.signingKey };
  }

  private send(emulator: Emulator, domain: string, form: Map<string, string[]>, reply: FastifyReply): Promise<unknown> {
    const one = (name: string) => form.get(name)?.[0];
    const from = one('from');
    const to = (form.get('to') ?? []).flatMap((t) => t.split(',')).map((t) => bareAddress(t)).filter(Boolean);
    if (!from) return Promise.resolve(reply.code(400).send({ message: "'from' parameter is missing" }));
    if (to.length === 0) return Promise.resolve(reply.code(400).send({ message: "'to' parameter is missing" }));
    if (!one('text') && !one('html') && !one('template')) return Promise.resolve(reply.code(400).send({ message: "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified" }));
    const headers: Record<string, string> = {};
    const variables: Record<string, string> = {};
    for (const [key, values] of form) {
      if (key.startsWith('h:')) headers[key.slice(2)] = values[0] ?? '';
      if (key.startsWith('v:')) variables[key.slice(2)] = values[0] ?? '';
    }
    const given = Object.entries(headers).find(([name]) => name.toLowerCase() === 'message-id')?.[1];
    const id = given && /^<[^<>\s]+@[^<>\s]+>$/.test(given) ? given : `<${Date.now()}.${randomBytes(8).toString('hex')}@${domain}>`;
    const recipient = to[0] ?? '';
    return emulator.send({
      reply,
      to: recipient,
      message: (): StoredMessage => ({
        id,
        to: recipient,
        from: bareAddress(from),
        subject: one('subject') ?? null,
        text: one('text') ?? null,
        html: one('html') ?? null,
        extra: { fromHeader: from, headers, variables, options: Object.fromEntries([...form].filter(([k]) => k.startsWith('o:')).map(([k, v]) => [k, v[0]])) },
        receivedAt: new Date().toISOString(),
      }),
      error: faultError,
      defaultOutcomes: conventionalOutcomes,
      receipts: (message, outcomes) => outcomes.map((outcome) => this.receipt(emulator, message, outcome)),
      respond: (message) => ({ id: message.id, message: 'Queued. Thank you.' }),
    });
  }

  private receipt(emulator: Emulator, message: StoredMessage, outcome: EmulatedOutcome): RenderedReceipt {
    const eventData = {
      id: randomBytes(16).toString('base64url'),
      timestamp: Date.now() / 1000,
      recipient: message.to,
      'recipient-domain': message.to.split('@')[1] ?? '',
      ...eventFields(outcome),
      message: { headers: { 'message-id': message.id.replace(/^<|>$/g, ''), to: message.to, from: message.from, subject: message.subject } },
      'user-variables': message.extra['variables'] ?? {},
      tags: [],
    };
    const body = JSON.stringify({ signature: this.sign(), 'event-data': eventData });
    return { url: emulator.callbackUrl ?? '', headers: { 'content-type': 'application/json' }, body };
  }

  /** A webhook signature block for now. */
  sign(timestamp = String(Math.floor(Date.now() / 1000)), token = randomBytes(25).toString('hex')): { timestamp: string; token: string; signature: string } {
    return { timestamp, token, signature: createHmac('sha256', this.signingKey).update(timestamp + token).digest('hex') };
  }
}
