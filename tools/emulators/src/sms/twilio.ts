/**
 * Twilio Programmable Messaging, as its REST API documents it:
 *
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json    form: To, Body, From | MessagingServiceSid, StatusCallback
 *   GET  /2010-04-01/Accounts/{AccountSid}/Messages.json    ?To=&From=&PageSize=&Page=  (newest first)
 *   GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
 *
 * HTTP Basic auth with the Account SID and Auth Token (settings accountSid, authToken); a wrong
 * pair is 401 with error 20003, another account's path 404 with 20404. Errors are Twilio's JSON
 * body {code, message, more_info, status}; an injected fault's `code` is the Twilio error code.
 * Twilio's documented test numbers answer as Twilio does for them: To +15005550001 (21211 invalid),
 * +15005550002 (21612 not routable), +15005550003 (21408 no permission for the region),
 * +15005550004 (21610 opted out), +15005550009 (21614 not a mobile); From +15005550001 (21212),
 * +15005550007 (21606 not ours), +15005550008 (21611 queue full).
 *
 * Status callbacks go to the message's StatusCallback (else the emulator's callback URL) as Twilio
 * sends them: form-encoded MessageSid, MessageStatus, ErrorCode... signed in X-Twilio-Signature
 * with the Auth Token by the twilio library's getExpectedTwilioSignature. Outcomes: delivered
 * (sent, then delivered), undelivered / soft_bounced (30003 unreachable handset), bounced (30005
 * unknown handset), failed (30008), opted_out (the recipient answers STOP: an inbound message
 * with OptOutType=STOP to the callback URL without its query, as a Messaging Service with
 * Advanced Opt-Out reports it; the number then gets 21610 on later sends).
 */
import { getExpectedTwilioSignature } from 'twilio';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import type { EmulatedOutcome, RenderedReceipt } from '../kit/receipts';
import { acceptFormBodies, basicCredentials, formBody, hex } from './form';

export const TWILIO_DEFAULTS = { accountSid: 'AC00000000000000000000000000000000', authToken: 'emulator-auth-token' } as const;

const ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  '20003': { status: 401, message: 'Authenticate' },
  '20404': { status: 404, message: 'The requested resource was not found' },
  '20429': { status: 429, message: 'Too Many Requests' },
  '20500': { status: 500, message: 'Internal Server Error' },
  '20503': { status: 503, message: 'Service Unavailable' },
  '21211': { status: 400, message: "Invalid 'To' Phone Number" },
  '21212': { status: 400, message: "Invalid 'From' Phone Number" },
  '21408': { status: 400, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number' },
  '21602': { status: 400, message: 'Message body is required.' },
  '21604': { status: 400, message: "A 'To' phone number is required." },
  '21603': { status: 400, message: "A 'From' phone number is required." },
  '21606': { status: 400, message: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account" },
  '21610': { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  '21611': { status: 400, message: "This 'From' number has exceeded the maximum number of queued messages" },
  '21612': { status: 400, message: "The 'To' phone number is not currently reachable via SMS" },
  '21614': { status: 400, message: "'To' number is not a valid mobile number" },
  '21617': { status: 400, message: 'The concatenated message body exceeds the 1600 character limit' },
};

const MAGIC_TO: Readonly<Record<string, string>> = { '+15005550001': '21211', '+15005550002': '21612', '+15005550003': '21408', '+15005550004': '21610', '+15005550009': '21614' };
const MAGIC_FROM: Readonly<Record<string, string>> = { '+15005550001': '21212', '+15005550007': '21606', '+15005550008': '21611' };

const E164 = /^\+[1-9]\d{6,14}$/;

export function twilioErrorBody(code: string, status?: number): { status: number; body: Record<string, unknown> } {
  const known = ERRORS[code];
  const httpStatus = status ?? known?.status ?? 400;
  return { status: httpStatus, body: { code: Number(code) || code, message: known?.message ?? `Error ${code}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status: httpStatus } };
}

/** Twilio's date format (RFC 2822). */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function segments(text: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0a\x0d\x20-\x7e£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/u.test(text);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const length = [...text].length;
  return length <= single ? 1 : Math.ceil(length / multi);
}

interface TwilioState {
  optedOut: Set<string>;
}

/** The error Twilio answers for this message, if any (validation, test numbers, opted-out recipients). */
function refusalFor(m: { to: string; from: string | null; service: string | null; body: string }, state: TwilioState): string | undefined {
  if (!m.to) return '21604';
  if (!E164.test(m.to)) return '21211';
  const magic = MAGIC_TO[m.to];
  if (magic) return magic;
  if (state.optedOut.has(m.to)) return '21610';
  if (!m.from && !m.service) return '21603';
  if (m.from && MAGIC_FROM[m.from]) return MAGIC_FROM[m.from];
  if (!m.body) return '21602';
  if ([...m.body].length > 1600) return '21617';
  return undefined;
}

export function twilioEmulator(): ProviderEmulator {
  const state: TwilioState = { optedOut: new Set() };
  return {
    provider: 'twilio',
    channel: 'sms',
    register(emulator: Emulator) {
      const accountSid = emulator.setting('accountSid', TWILIO_DEFAULTS.accountSid);
      const authToken = emulator.setting('authToken', TWILIO_DEFAULTS.authToken);
      const app = emulator.app;
      acceptFormBodies(app);
      const base = `/2010-04-01/Accounts/${accountSid}`;

      const fail = (reply: FastifyReply, code: string, status?: number) => {
        const e = twilioErrorBody(code, status);
        return reply.code(e.status).type('application/json').send(e.body);
      };
      /** Basic auth and the account in the path; answers the error itself when they are wrong. */
      const authorized = (request: FastifyRequest<{ Params: { account: string } }>, reply: FastifyReply): boolean => {
        const credentials = basicCredentials(request.headers.authorization);
        if (!credentials || credentials.user !== accountSid || credentials.password !== authToken) {
          void fail(reply.header('www-authenticate', 'Basic realm="Twilio API"'), '20003');
          return false;
        }
        if (request.params.account !== accountSid) {
          void fail(reply, '20404');
          return false;
        }
        return true;
      };

      app.post<{ Params: { account: string }; Body: Record<string, string> }>('/2010-04-01/Accounts/:account/Messages.json', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const p = request.body ?? {};
        const to = p['To'] ?? '';
        const from = p['From'] ?? null;
        const service = p['MessagingServiceSid'] ?? null;
        const body = p['Body'] ?? '';
        const refusal = refusalFor({ to, from, service, body }, state);
        if (refusal) return fail(reply, refusal);
        const callback = p['StatusCallback'];
        const now = new Date();
        const sid = `SM${hex(16)}`;
        const resource = {
          account_sid: accountSid,
          api_version: '2010-04-01',
          body,
          date_created: rfc2822(now),
          date_sent: null,
          date_updated: rfc2822(now),
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: from ?? '+15005550006',
          messaging_service_sid: service,
          num_media: '0',
          num_segments: String(segments(body)),
          price: null,
          price_unit: 'USD',
          sid,
          status: service ? 'accepted' : 'queued',
          subresource_uris: { media: `${base}/Messages/${sid}/Media.json` },
          to,
          uri: `${base}/Messages/${sid}.json`,
        };
        return emulator.send({
          reply,
          to,
          ...(callback ? { callbackUrl: callback } : {}),
          message: (): StoredMessage => ({ id: sid, to, from: resource.from, subject: null, text: body, html: null, extra: { statusCallback: callback ?? null, messagingServiceSid: service, resource }, receivedAt: now.toISOString() }),
          error: (fault: Fault) => {
            const e = twilioErrorBody(fault.code ?? String(fault.status === 429 ? 20429 : fault.status && fault.status >= 500 ? 20500 : 21211), fault.status);
            return { status: e.status, body: e.body };
          },
          defaultOutcomes: () => ['delivered'],
          receipts: (message, outcomes) => renderCallbacks(message, outcomes, { accountSid, authToken, callbackUrl: callback ?? emulator.callbackUrl ?? '', inboundUrl: emulator.callbackUrl, optedOut: state.optedOut }),
          respond: () => resource,
          successStatus: 201,
        });
      });

      app.get<{ Params: { account: string }; Querystring: Record<string, string | undefined> }>('/2010-04-01/Accounts/:account/Messages.json', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const q = request.query;
        const pageSize = Math.min(1000, Math.max(1, Number(q['PageSize'] ?? 50) || 50));
        const page = Math.max(0, Number(q['Page'] ?? 0) || 0);
        const all = emulator.messages
          .filter((m) => (!q['To'] || m.to === q['To']) && (!q['From'] || m.from === q['From']))
          .map((m) => m.extra['resource'])
          .reverse();
        const messages = all.slice(page * pageSize, (page + 1) * pageSize);
        const query = (n: number) => {
          const params = new URLSearchParams();
          if (q['To']) params.set('To', q['To']);
          if (q['From']) params.set('From', q['From']);
          params.set('PageSize', String(pageSize));
          params.set('Page', String(n));
          return `${base}/Messages.json?${params.toString()}`;
        };
        return {
          first_page_uri: query(0),
          end: page * pageSize + Math.max(0, messages.length - 1),
          previous_page_uri: page > 0 ? query(page - 1) : null,
          messages,
          uri: query(page),
          page_size: pageSize,
          start: page * pageSize,
          next_page_uri: (page + 1) * pageSize < all.length ? query(page + 1) : null,
          page,
        };
      });

      app.get<{ Params: { account: string; sid: string } }>('/2010-04-01/Accounts/:account/Messages/:sid', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const sid = request.params.sid.replace(/\.json$/, '');
        const found = emulator.messages.find((m) => m.id === sid);
        return found ? found.extra['resource'] : fail(reply, '20404');
      });
    },
  };
}

interface CallbackContext {
  accountSid: string;
  authToken: string;
  callbackUrl: string;
  /** Where inbound messages go (the Messaging Service's inbound URL); default: the callback URL without its query. */
  inboundUrl: string | undefined;
  optedOut: Set<string>;
}

/** A Twilio webhook: form-encoded, signed over the full URL and the sorted parameters. */
export function signedTwilioWebhook(url: string, params: Record<string, string>, authToken: string): RenderedReceipt {
  return {
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': getExpectedTwilioSignature(authToken, url, params),
      'i-twilio-idempotency-token': hex(16),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: formBody(params),
  };
}

const OUTCOME_STATUS: Readonly<Partial<Record<EmulatedOutcome, { status: string; errorCode?: string }>>> = {
  delivered: { status: 'delivered' },
  undelivered: { status: 'undelivered', errorCode: '30003' },
  soft_bounced: { status: 'undelivered', errorCode: '30003' },
  bounced: { status: 'undelivered', errorCode: '30005' },
  failed: { status: 'failed', errorCode: '30008' },
};

function renderCallbacks(message: StoredMessage, outcomes: EmulatedOutcome[], context: CallbackContext): RenderedReceipt[] {
  const resource = message.extra['resource'] as { sid: string; from: string; to: string; messaging_service_sid: string | null };
  const common = {
    AccountSid: context.accountSid,
    ApiVersion: '2010-04-01',
    From: resource.from,
    MessageSid: resource.sid,
    SmsSid: resource.sid,
    To: resource.to,
    ...(resource.messaging_service_sid ? { MessagingServiceSid: resource.messaging_service_sid } : {}),
  };
  const status = (s: string, errorCode?: string) => signedTwilioWebhook(context.callbackUrl, { ...common, MessageStatus: s, SmsStatus: s, ...(errorCode ? { ErrorCode: errorCode } : {}) }, context.authToken);
  const out: RenderedReceipt[] = [];
  let sentReported = false;
  for (const outcome of outcomes) {
    if (outcome === 'opted_out') {
      context.optedOut.add(resource.to);
      const url = context.inboundUrl ?? context.callbackUrl.split('?')[0] ?? context.callbackUrl;
      const sid = `SM${hex(16)}`;
      out.push(
        signedTwilioWebhook(
          url,
          { AccountSid: context.accountSid, ApiVersion: '2010-04-01', SmsStatus: 'received', Body: 'STOP', From: resource.to, To: resource.from, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, NumMedia: '0', NumSegments: '1', OptOutType: 'STOP', ...(resource.messaging_service_sid ? { MessagingServiceSid: resource.messaging_service_sid } : {}) },
          context.authToken,
        ),
      );
      continue;
    }
    const mapped = OUTCOME_STATUS[outcome];
    if (!mapped) continue; // complained, deferred: nothing Twilio reports for SMS
    if (!sentReported && mapped.status !== 'failed') {
      out.push(status('sent'));
      sentReported = true;
    }
    out.push(status(mapped.status, mapped.errorCode));
  }
  return out;
}
