/**
 * Vonage SMS API, as documented:
 *
 *   POST /sms/json   JSON or form: api_key, api_secret, from, to, text, type, client-ref, callback, status-report-req
 *   GET  /v2/reports/records   the Reports API's synchronous records (Basic auth key:secret),
 *                              filtered by account_id, product=SMS, direction, date_start/date_end, client_ref, to
 *
 * Credentials are api_key/api_secret in the request (or HTTP Basic), settings apiKey, apiSecret. The
 * SMS API answers 200 with a status per message part (Vonage's documented codes: 2 missing
 * parameter, 4 bad credentials, 29 non-whitelisted destination...); an injected fault with
 * status 200 and a `code` renders that status in the body, any other status an HTTP error. A text
 * longer than one SMS is split into parts, each with its own message-id. Setting `whitelist`
 * (comma-separated numbers) makes it a trial account: other destinations get status 29.
 *
 * Delivery receipts (one per part) go to the message's `callback` (else the emulator's callback
 * URL) with Vonage's fields (msisdn, to, network-code, messageId, price, status, scts, err-code,
 * api-key, client-ref, message-timestamp, timestamp, nonce), signed as Vonage's "signed webhooks"
 * are: `sig` over the sorted parameters with the signature secret, by setting signatureMethod
 * (md5hash, the dashboard's default; md5, sha1, sha256, sha512 for the HMAC variants) and
 * signatureSecret (empty: unsigned). Setting dlrMethod: POST-JSON (default), POST (form) or GET.
 * Outcomes: delivered (delivered, 0), soft_bounced (expired, 2 absent subscriber temporary),
 * undelivered (failed, 8 network error), bounced (failed, 3 absent subscriber permanent),
 * failed (rejected, 6 anti-spam), deferred (buffered).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { acceptFormBodies, basicCredentials, formBody, hex } from './form';

export const VONAGE_DEFAULTS = { apiKey: 'a1b2c3d4', apiSecret: 'EmulatorSecret1', signatureSecret: 'emulator-signature-secret', signatureMethod: 'md5hash' } as const;

export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

const STATUS_TEXT: Readonly<Record<string, string>> = {
  '1': 'Throttled', '2': 'Missing Parameters', '3': 'Invalid Parameters', '4': 'Bad Credentials', '5': 'Internal Error',
  '6': 'Invalid Message', '7': 'Number Barred', '8': 'Partner Account Barred', '9': 'Partner Quota Violation',
  '10': 'Too Many Existing Binds', '11': 'Account Not Enabled For HTTP', '12': 'Message Too Long', '14': 'Invalid Signature',
  '15': 'Invalid Sender Address', '22': 'Invalid Network Code', '23': 'Invalid Callback Url', '29': 'Non-Whitelisted Destination',
  '32': 'Signature And API Secret Disallowed', '33': 'Number De-activated',
};

/**
 * Vonage's signature of a signed webhook or request, as its "Signing messages" guide gives it:
 * `&` + the parameters sorted by name as name=value (`&` and `=` in values replaced by `_`), then
 * MD5 of that string followed by the secret (md5hash), or its HMAC keyed by the secret.
 */
export function vonageSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  const signed = Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${String(params[k]).replace(/[&=]/g, '_')}`)
    .join('');
  if (method === 'md5hash') return createHash('md5').update(`${signed}${secret}`).digest('hex');
  return createHmac(method, secret).update(signed).digest('hex').toUpperCase();
}

function parts(text: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0a\x0d\x20-\x7e£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/u.test(text);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const length = [...text].length;
  return length <= single ? 1 : Math.ceil(length / multi);
}

/** Vonage's timestamp formats: scts YYMMDDhhmm, message-timestamp "YYYY-MM-DD hh:mm:ss" (UTC). */
function stamps(at: Date): { scts: string; messageTimestamp: string } {
  const iso = at.toISOString();
  return { scts: `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}`, messageTimestamp: `${iso.slice(0, 10)} ${iso.slice(11, 19)}` };
}

const OUTCOMES: Readonly<Partial<Record<EmulatedOutcome, { status: string; errCode: string }>>> = {
  delivered: { status: 'delivered', errCode: '0' },
  soft_bounced: { status: 'expired', errCode: '2' },
  undelivered: { status: 'failed', errCode: '8' },
  bounced: { status: 'failed', errCode: '3' },
  failed: { status: 'rejected', errCode: '6' },
  deferred: { status: 'buffered', errCode: '0' },
};

interface VonageSettings {
  apiKey: string;
  apiSecret: string;
  signatureSecret: string;
  signatureMethod: VonageSignatureMethod;
  dlrMethod: 'POST-JSON' | 'POST' | 'GET';
  whitelist: Set<string> | null;
}

export function vonageEmulator(): ProviderEmulator {
  return {
    provider: 'vonage',
    channel: 'sms',
    register(emulator: Emulator) {
      const method = emulator.setting('signatureMethod', VONAGE_DEFAULTS.signatureMethod);
      if (!(VONAGE_SIGNATURE_METHODS as readonly string[]).includes(method)) throw new Error(`signatureMethod must be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}`);
      const dlrMethod = emulator.setting('dlrMethod', 'POST-JSON');
      if (!['POST-JSON', 'POST', 'GET'].includes(dlrMethod)) throw new Error('dlrMethod must be POST-JSON, POST or GET');
      const whitelist = emulator.setting('whitelist', '');
      const settings: VonageSettings = {
        apiKey: emulator.setting('apiKey', VONAGE_DEFAULTS.apiKey),
        apiSecret: emulator.setting('apiSecret', VONAGE_DEFAULTS.apiSecret),
        signatureSecret: emulator.setting('signatureSecret', VONAGE_DEFAULTS.signatureSecret),
        signatureMethod: method as VonageSignatureMethod,
        dlrMethod: dlrMethod as VonageSettings['dlrMethod'],
        whitelist: whitelist ? new Set(whitelist.split(',').map((n) => n.trim().replace(/^\+/, ''))) : null,
      };
      const app = emulator.app;
      acceptFormBodies(app);

      const refuse = (reply: FastifyReply, status: string, text?: string) =>
        reply.code(200).type('application/json').send({ 'message-count': '1', messages: [{ status, 'error-text': text ?? STATUS_TEXT[status] ?? 'Error' }] });

      const handler = async (request: FastifyRequest<{ Body: Record<string, unknown> | undefined; Querystring: Record<string, string> }>, reply: FastifyReply) => {
        const p: Record<string, string> = {};
        for (const [k, v] of Object.entries({ ...request.query, ...(request.body ?? {}) })) if (v !== undefined && v !== null) p[k] = String(v);
        const basic = basicCredentials(request.headers.authorization);
        const key = p['api_key'] ?? basic?.user;
        const secret = p['api_secret'] ?? basic?.password;
        if (!key) return refuse(reply, '2', 'Missing api_key');
        if (!secret) return refuse(reply, '2', 'Missing api_secret');
        if (key !== settings.apiKey || secret !== settings.apiSecret) return refuse(reply, '4', 'Bad Credentials');
        for (const required of ['from', 'to', 'text']) if (!p[required]) return refuse(reply, '2', `Missing ${required} param`);
        const to = (p['to'] ?? '').replace(/^\+/, '');
        if (!/^[1-9]\d{6,14}$/.test(to)) return refuse(reply, '3', 'Invalid to param');
        if (settings.whitelist && !settings.whitelist.has(to)) return refuse(reply, '29');
        const text = p['text'] ?? '';
        const count = parts(text);
        const clientRef = p['client-ref'] ?? null;
        if (clientRef && clientRef.length > 100) return refuse(reply, '3', 'Invalid client-ref param');
        const callback = p['callback'];
        const ids = Array.from({ length: count }, () => `${hex(8).toUpperCase()}`);
        const now = new Date();
        return emulator.send({
          reply,
          to: `+${to}`,
          ...(callback ? { callbackUrl: callback } : {}),
          message: (): StoredMessage => ({
            id: ids[0] ?? '',
            to: `+${to}`,
            from: p['from'] ?? null,
            subject: null,
            text,
            html: null,
            extra: { messageIds: ids, clientRef, callback: callback ?? null, type: p['type'] ?? 'text', auth: basic ? 'basic' : 'params' },
            receivedAt: now.toISOString(),
          }),
          error: (fault: Fault) =>
            fault.status === 200
              ? { status: 200, body: { 'message-count': '1', messages: [{ status: fault.code ?? '5', 'error-text': STATUS_TEXT[fault.code ?? '5'] ?? 'Error' }] } }
              : { status: fault.status ?? 500, body: { type: 'https://developer.vonage.com/api-errors', title: 'Error', detail: fault.code ?? 'error' } },
          defaultOutcomes: () => ['delivered'],
          receipts: (message, outcomes) => renderDlrs(message, outcomes, settings, callback ?? emulator.callbackUrl ?? ''),
          respond: () => ({
            'message-count': String(count),
            messages: ids.map((id) => ({ to, 'message-id': id, status: '0', 'remaining-balance': '10.00000000', 'message-price': '0.03330000', network: '23410', ...(clientRef ? { 'client-ref': clientRef } : {}) })),
          }),
        });
      };
      app.post('/sms/json', handler);
      app.get('/sms/json', handler);

      app.get<{ Querystring: Record<string, string | undefined> }>('/v2/reports/records', async (request, reply) => {
        const basic = basicCredentials(request.headers.authorization);
        if (!basic || basic.user !== settings.apiKey || basic.password !== settings.apiSecret) {
          return reply.code(401).send({ type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Unauthorized', detail: 'You did not provide correct credentials.' });
        }
        const q = request.query;
        if (q['product'] !== 'SMS' || !q['direction'] || !q['date_start'] || !q['date_end']) {
          return reply.code(400).send({ type: 'https://developer.nexmo.com/api-errors#invalid-parameters', title: 'Invalid parameters', detail: 'product=SMS, direction, date_start and date_end are required here' });
        }
        const start = Date.parse(q['date_start']);
        const end = Date.parse(q['date_end']);
        if (!(end > start) || end - start > 24 * 3_600_000) return reply.code(400).send({ title: 'Invalid parameters', detail: 'the date range must be at most 24 hours' });
        const records = emulator.messages
          .filter((m) => {
            const at = Date.parse(m.receivedAt);
            return at >= start && at <= end && (!q['client_ref'] || m.extra['clientRef'] === q['client_ref']) && (!q['to'] || m.to === `+${q['to'].replace(/^\+/, '')}`);
          })
          .flatMap((m) =>
            (m.extra['messageIds'] as string[]).map((id) => ({ account_id: settings.apiKey, message_id: id, client_ref: m.extra['clientRef'], direction: 'outbound', from: m.from, to: m.to.replace(/^\+/, ''), status: 'delivered', date_received: m.receivedAt })),
          );
        return { request_id: randomUUID(), request_status: 'SUCCESS', received_at: new Date().toISOString(), items_count: records.length, records, _links: { self: { href: request.url } } };
      });
    },
  };
}

function renderDlrs(message: StoredMessage, outcomes: EmulatedOutcome[], settings: VonageSettings, url: string): RenderedReceipt[] {
  const ids = message.extra['messageIds'] as string[];
  const clientRef = message.extra['clientRef'] as string | null;
  const out: RenderedReceipt[] = [];
  for (const outcome of outcomes) {
    const mapped = OUTCOMES[outcome];
    if (!mapped) continue; // opted_out, complained: not something Vonage's DLRs report
    for (const id of ids) {
      const { scts, messageTimestamp } = stamps(new Date());
      const params: Record<string, string> = {
        msisdn: message.to.replace(/^\+/, ''),
        to: message.from ?? '',
        'network-code': '23410',
        messageId: id,
        price: '0.03330000',
        status: mapped.status,
        scts,
        'err-code': mapped.errCode,
        'api-key': settings.apiKey,
        ...(clientRef ? { 'client-ref': clientRef } : {}),
        'message-timestamp': messageTimestamp,
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: randomUUID(),
      };
      if (settings.signatureSecret) params['sig'] = vonageSignature(params, settings.signatureSecret, settings.signatureMethod);
      out.push(renderDlr(url, params, settings.dlrMethod));
    }
  }
  return out;
}

function renderDlr(url: string, params: Record<string, string>, method: VonageSettings['dlrMethod']): RenderedReceipt {
  if (method === 'GET') {
    const target = new URL(url);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    return { url: target.toString(), method: 'GET', headers: {}, body: '' };
  }
  if (method === 'POST') return { url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(params) };
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) };
}
