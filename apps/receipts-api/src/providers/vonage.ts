/**
 * Vonage SMS API delivery receipts (DLRs): one per message part, as GET (query), POST (form) or
 * POST-JSON, whichever the account's webhook setting says. Herald's ids arrive in the `callback`
 * URL's query (heraldDeliveryId, heraldMessageId) and the deliveryId also in `client-ref`.
 *
 * Verification: Vonage's signed webhooks, which must be enabled for the account: `sig` over every
 * other parameter the DLR carries (sorted, `&name=value`, with `&` and `=` in values replaced by
 * `_`), by the account's signature method: md5hash (MD5 of the string and the signature secret,
 * the dashboard's default) or an HMAC (md5, sha1, sha256, sha512) keyed by the secret. That is
 * the algorithm of Vonage's "Signing messages" guide and of @vonage/sms's verifySignature (the
 * tests check that both agree). A DLR without `sig`, with another api-key, with a wrong signature,
 * or whose `timestamp` is further than VONAGE_SIGNATURE_MAX_AGE_SEC from now (a replay) is refused.
 *
 * Mapping: delivered -> delivered; expired -> undelivered (not permanent); failed -> undelivered
 * and rejected -> rejected, permanent per Vonage's DLR err-code (3 absent subscriber permanent,
 * 4 barred, 6 anti-spam, 9 illegal number, 10 illegal message, 11 unroutable, 13 age restriction,
 * 14 blocked by carrier, 50-54 filters: permanent; 1, 2, 7, 8, 12, 15, 16, 99: not); buffered ->
 * deferred; accepted and unknown change nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid, RECEIPT_ID_PARAMS, type ReceiptFields } from '@herald/contracts';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';

export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

export interface VonageReceiptSettings {
  apiKey: string;
  signatureSecret: string;
  signatureMethod: VonageSignatureMethod;
  /** Largest distance between the DLR's timestamp and now. */
  maxAgeSec: number;
  now?: () => number;
}

/** Herald's own query parameters on the callback URL: not part of what Vonage signed. */
const OUR_PARAMS: ReadonlySet<string> = new Set(Object.values(RECEIPT_ID_PARAMS));

/** Vonage's documented signature of a signed webhook (see the file comment). */
export function vonageExpectedSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  const signed = Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${String(params[k]).replace(/[&=]/g, '_')}`)
    .join('');
  return method === 'md5hash' ? createHash('md5').update(`${signed}${secret}`).digest('hex') : createHmac(method, secret).update(signed).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

interface ErrInfo {
  permanent: boolean;
  summary: string;
}

/** Vonage's DLR err-code values, in Herald's words. */
const ERR_CODES: Readonly<Record<string, ErrInfo>> = {
  '1': { permanent: false, summary: 'The carrier reported an unknown error.' },
  '2': { permanent: false, summary: 'The handset was unreachable for a while (switched off or out of coverage).' },
  '3': { permanent: true, summary: 'The number is not in service.' },
  '4': { permanent: true, summary: 'The recipient has barred incoming messages.' },
  '5': { permanent: true, summary: 'The number could not be routed after it changed carrier.' },
  '6': { permanent: true, summary: 'The carrier rejected the message as spam.' },
  '7': { permanent: false, summary: 'The handset was busy.' },
  '8': { permanent: false, summary: 'A network error prevented delivery.' },
  '9': { permanent: true, summary: 'The number is not valid.' },
  '10': { permanent: true, summary: 'The carrier refused the message content.' },
  '11': { permanent: true, summary: 'There is no route to the number.' },
  '12': { permanent: false, summary: 'The destination was unreachable.' },
  '13': { permanent: true, summary: 'The recipient is barred from this content by age restriction.' },
  '14': { permanent: true, summary: 'The carrier blocked the number.' },
  '15': { permanent: false, summary: 'The prepaid recipient has insufficient funds.' },
  '16': { permanent: false, summary: 'A gateway quota was exceeded.' },
  '50': { permanent: true, summary: 'The message was filtered (entity registration).' },
  '51': { permanent: true, summary: 'The message was filtered (sender header).' },
  '52': { permanent: true, summary: 'The message was filtered (content).' },
  '53': { permanent: true, summary: 'The message was filtered (no recorded consent).' },
  '54': { permanent: true, summary: 'The message was refused by local regulation.' },
  '99': { permanent: false, summary: 'The carrier reported a general error.' },
};

/** The DLR parameters, whatever way they came (GET query, form or JSON body). */
function dlrParams(request: ReceiptRequest): Record<string, string> | string {
  const out: Record<string, string> = {};
  if (request.method === 'GET') {
    for (const [k, v] of Object.entries(request.query)) if (v !== undefined && !OUR_PARAMS.has(k)) out[k] = v;
    return out;
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const raw = request.rawBody.toString('utf8');
  if (type === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return 'body is not JSON';
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
    for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) out[k] = String(v);
    return out;
  }
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(raw)) if (!(k in out)) out[k] = v;
    return out;
  }
  return `unsupported content type ${type || '(none)'}`;
}

/** "YYYY-MM-DD hh:mm:ss" (UTC) as Vonage writes message-timestamp, else now. */
function receiptTime(params: Record<string, string>, now: number): string {
  const raw = params['message-timestamp'];
  const m = raw ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(raw) : null;
  const at = m ? Date.parse(`${m[1]}T${m[2]}Z`) : NaN;
  return new Date(Number.isFinite(at) ? at : now).toISOString();
}

/** Maps a verified DLR to Herald receipts (none for accepted and unknown). */
export function vonageDlrReceipts(params: Record<string, string>, query: ReceiptRequest['query'], now: number): ReceiptFields[] {
  const messageId = params['messageId'] ?? params['message-id'];
  const status = params['status'];
  if (!messageId || !status) return [];
  const err = params['err-code'] ?? '0';
  const clientRef = params['client-ref'];
  const ours = { deliveryId: query[RECEIPT_ID_PARAMS.deliveryId], messageId: query[RECEIPT_ID_PARAMS.messageId] };
  const deliveryId = ours.deliveryId && isUuid(ours.deliveryId) ? ours.deliveryId : clientRef && isUuid(clientRef) ? clientRef : undefined;
  const messageIdOfHerald = ours.messageId && isUuid(ours.messageId) ? ours.messageId : undefined;
  const base = {
    receiptId: `${messageId}:${status}:${err}`.slice(0, 200),
    provider: 'vonage',
    channel: 'sms' as const,
    providerMessageId: messageId,
    ...(deliveryId ? { deliveryId } : {}),
    ...(messageIdOfHerald ? { messageId: messageIdOfHerald } : {}),
    ...(params['msisdn'] ? { recipient: `+${params['msisdn'].replace(/^\+/, '')}` } : {}),
    at: receiptTime(params, now),
  };
  const info = ERR_CODES[err];
  const reason = { reasonCode: `VONAGE_DLR_${err}`.slice(0, 64), summary: info?.summary ?? 'The carrier could not deliver the message.' };
  switch (status) {
    case 'delivered':
      return [{ ...base, outcome: 'delivered', permanent: false }];
    case 'expired':
      return [{ ...base, outcome: 'undelivered', permanent: false, reasonCode: `VONAGE_DLR_${err}`.slice(0, 64), summary: 'The message expired before the handset could be reached.' }];
    case 'failed':
      return [{ ...base, outcome: 'undelivered', permanent: info?.permanent ?? false, ...reason }];
    case 'rejected':
      return [{ ...base, outcome: 'rejected', permanent: info?.permanent ?? false, ...reason }];
    case 'buffered':
      return [{ ...base, outcome: 'deferred', permanent: false, summary: 'The carrier is still trying to deliver the message.' }];
    default:
      return [];
  }
}

export function vonageReceiptSource(settings: VonageReceiptSettings): ReceiptSource {
  const now = settings.now ?? Date.now;
  return {
    provider: 'vonage',
    channel: 'sms',
    async handle(request: ReceiptRequest): Promise<ReceiptOutcome> {
      if (request.method !== 'GET' && request.method !== 'POST') return { kind: 'refused', status: 400, reason: `Vonage DLRs are GET or POST, got ${request.method}` };
      const params = dlrParams(request);
      if (typeof params === 'string') return { kind: 'refused', status: 415, reason: params };
      const sig = params['sig'];
      if (!sig) return { kind: 'refused', status: 401, reason: 'unsigned DLR (enable signed webhooks for the Vonage account)' };
      if (params['api-key'] !== settings.apiKey) return { kind: 'refused', status: 403, reason: 'DLR for another Vonage API key' };
      const timestamp = Number(params['timestamp']);
      if (!Number.isFinite(timestamp) || Math.abs(now() / 1000 - timestamp) > settings.maxAgeSec) {
        return { kind: 'refused', status: 403, reason: `DLR timestamp outside ${settings.maxAgeSec} s of now (stale or replayed)` };
      }
      if (!sameHex(sig, vonageExpectedSignature(params, settings.signatureSecret, settings.signatureMethod))) {
        return { kind: 'refused', status: 403, reason: `DLR signature does not match (${settings.signatureMethod})` };
      }
      return { kind: 'accepted', receipts: vonageDlrReceipts(params, request.query, now()) };
    },
  };
}
