/**
 * Twilio's callbacks: message status callbacks (MessageStatus, ErrorCode; Herald's ids in the
 * StatusCallback URL's query) and inbound messages with OptOutType=STOP (a Messaging Service with
 * Advanced Opt-Out reports a recipient's STOP that way).
 *
 * Verification: X-Twilio-Signature through the official library's validateRequest: HMAC-SHA1 with
 * the Auth Token over the full URL Twilio called (RECEIPTS_PUBLIC_URL + path + query, which is why
 * the ids in the query are trusted) and the sorted form parameters. Twilio's scheme has no
 * timestamp, so a replayed callback verifies: it is harmless, receiptId is the same and tracking
 * stores it once. With TWILIO_ACCOUNT_SID set, callbacks for another account are refused too.
 *
 * Mapping: delivered -> delivered; undelivered -> undelivered; failed -> rejected (Twilio did not
 * send it); ErrorCode 21610 -> opted_out (the number is suppressed); permanence from Twilio's
 * documented delivery error codes (30004 blocked, 30005 unknown handset, 30006 landline, 30007
 * filtered: permanent; 30003 unreachable, 30008 unknown error...: not). queued, sending, sent,
 * accepted, scheduled, read and canceled change nothing here.
 */
import { isUuid, RECEIPT_ID_PARAMS, type ReceiptFields } from '@herald/contracts';
import twilio from 'twilio';
import type { ReceiptOutcome, ReceiptRequest, ReceiptSource } from './receipt-source';

export interface TwilioReceiptSettings {
  authToken: string;
  /** Refuse callbacks that name another account (optional). */
  accountSid?: string;
}

interface CodeInfo {
  permanent: boolean;
  summary: string;
}

/** Twilio's delivery error codes (what status callbacks carry in ErrorCode), in Herald's words. */
const CODES: Readonly<Record<string, CodeInfo>> = {
  '30001': { permanent: false, summary: 'The provider queue overflowed before the message could be sent.' },
  '30002': { permanent: false, summary: 'The provider account was suspended.' },
  '30003': { permanent: false, summary: 'The handset was unreachable (switched off or out of coverage).' },
  '30004': { permanent: true, summary: 'The message was blocked by the recipient or the carrier.' },
  '30005': { permanent: true, summary: 'The number is unknown to the carrier.' },
  '30006': { permanent: true, summary: 'The number is a landline or its carrier cannot receive SMS.' },
  '30007': { permanent: true, summary: 'The carrier filtered the message.' },
  '30008': { permanent: false, summary: 'The carrier reported an unknown delivery error.' },
  '30009': { permanent: false, summary: 'A segment of the message was lost.' },
  '30010': { permanent: false, summary: 'The message price exceeded the maximum price set for it.' },
  '30034': { permanent: false, summary: 'The sender number is not registered for this traffic.' },
  '21610': { permanent: true, summary: 'The recipient has opted out (replied STOP).' },
  '21612': { permanent: true, summary: 'The number cannot receive SMS.' },
  '21614': { permanent: true, summary: 'The number is not a mobile number.' },
  '21211': { permanent: true, summary: 'The number is not valid.' },
};

const TWILIO_OPT_OUT = '21610';

function formParams(raw: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) if (!(k in params)) params[k] = v;
  return params;
}

/** RawDlrDoneDate (YYMMDDhhmm, UTC) when Twilio passes the carrier's time, else now. */
function receiptTime(params: Record<string, string>): string {
  const raw = params['RawDlrDoneDate'];
  const m = raw ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw) : null;
  if (m) {
    const at = new Date(`20${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`);
    if (Number.isFinite(at.getTime())) return at.toISOString();
  }
  return new Date().toISOString();
}

function ids(query: ReceiptRequest['query']): Pick<ReceiptFields, 'deliveryId' | 'messageId'> {
  const deliveryId = query[RECEIPT_ID_PARAMS.deliveryId];
  const messageId = query[RECEIPT_ID_PARAMS.messageId];
  return { ...(deliveryId && isUuid(deliveryId) ? { deliveryId } : {}), ...(messageId && isUuid(messageId) ? { messageId } : {}) };
}

/** Maps a verified status callback's parameters to Herald receipts (none for interim statuses). */
export function twilioStatusReceipts(params: Record<string, string>, query: ReceiptRequest['query']): ReceiptFields[] {
  const sid = params['MessageSid'] ?? params['SmsSid'];
  const status = params['MessageStatus'] ?? params['SmsStatus'];
  if (!sid || !status) return [];
  const base = { receiptId: `${sid}:${status}`.slice(0, 200), provider: 'twilio', channel: 'sms' as const, providerMessageId: sid, ...ids(query), ...(params['To'] ? { recipient: params['To'] } : {}), at: receiptTime(params) };
  if (status === 'delivered') return [{ ...base, outcome: 'delivered', permanent: false }];
  if (status !== 'undelivered' && status !== 'failed') return [];
  const code = params['ErrorCode'] ?? '';
  const info = CODES[code];
  const reason = { ...(code ? { reasonCode: `TWILIO_${code}`.slice(0, 64) } : {}), summary: info?.summary ?? (status === 'failed' ? 'The provider could not send the message.' : 'The carrier could not deliver the message.') };
  if (code === TWILIO_OPT_OUT) return [{ ...base, outcome: 'opted_out', permanent: true, ...reason }];
  return [{ ...base, outcome: status === 'failed' ? 'rejected' : 'undelivered', permanent: info?.permanent ?? false, ...reason }];
}

/** An inbound message: STOP (OptOutType) becomes an opted_out receipt for the sender of the STOP. */
export function twilioInboundReceipts(params: Record<string, string>): ReceiptFields[] {
  const sid = params['MessageSid'] ?? params['SmsSid'];
  if (params['OptOutType'] !== 'STOP' || !sid || !params['From']) return [];
  return [
    {
      receiptId: `${sid}:opt-out`,
      provider: 'twilio',
      channel: 'sms',
      providerMessageId: sid,
      outcome: 'opted_out',
      permanent: true,
      reasonCode: 'TWILIO_OPT_OUT_STOP',
      summary: 'The recipient replied STOP.',
      recipient: params['From'],
      at: new Date().toISOString(),
    },
  ];
}

/** An empty TwiML answer: Twilio sends nothing back to the person who wrote. */
const EMPTY_TWIML = { status: 200, contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' };

export function twilioReceiptSource(settings: TwilioReceiptSettings): ReceiptSource {
  return {
    provider: 'twilio',
    channel: 'sms',
    async handle(request: ReceiptRequest): Promise<ReceiptOutcome> {
      if (request.method !== 'POST') return { kind: 'refused', status: 400, reason: `Twilio callbacks are POSTs, got ${request.method}` };
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') return { kind: 'refused', status: 415, reason: `not a form-encoded body (${type || 'none'})` };
      const signature = request.headers['x-twilio-signature'];
      if (!signature) return { kind: 'refused', status: 401, reason: 'no X-Twilio-Signature header' };
      const params = formParams(request.rawBody);
      if (!twilio.validateRequest(settings.authToken, signature, request.url, params)) {
        return { kind: 'refused', status: 403, reason: 'X-Twilio-Signature does not match the URL and parameters with our Auth Token' };
      }
      if (settings.accountSid && params['AccountSid'] !== settings.accountSid) return { kind: 'refused', status: 403, reason: 'callback for another Twilio account' };
      const inbound = params['MessageStatus'] === undefined && params['SmsStatus'] === undefined ? true : params['SmsStatus'] === 'received';
      if (inbound) return { kind: 'accepted', receipts: twilioInboundReceipts(params), response: EMPTY_TWIML };
      return { kind: 'accepted', receipts: twilioStatusReceipts(params, request.query) };
    },
  };
}
