/**
 * The Twilio receipt source on callbacks signed the way Twilio signs them (the twilio library's
 * getExpectedTwilioSignature over the full URL and the form parameters).
 */
import twilio from 'twilio';
import type { ReceiptRequest } from './receipt-source';
import { twilioReceiptSource } from './twilio';

const TOKEN = 'unit-test-auth-token';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const DELIVERY = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const MESSAGE = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
const URL_WITH_IDS = `https://receipts.example.com/providers/twilio/events?heraldDeliveryId=${DELIVERY}&heraldMessageId=${MESSAGE}`;

const source = twilioReceiptSource({ authToken: TOKEN, accountSid: ACCOUNT });
const signal = new AbortController().signal;

function callback(params: Record<string, string>, options: { url?: string; token?: string; body?: Record<string, string>; contentType?: string; signature?: string | null } = {}): ReceiptRequest {
  const url = options.url ?? URL_WITH_IDS;
  const signature = options.signature === null ? undefined : (options.signature ?? twilio.getExpectedTwilioSignature(options.token ?? TOKEN, url, params));
  const query = Object.fromEntries(new URL(url).searchParams);
  return {
    provider: 'twilio',
    url,
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    rawBody: Buffer.from(new URLSearchParams(options.body ?? params).toString()),
    query,
  };
}

const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT,
  ApiVersion: '2010-04-01',
  From: '+15005550006',
  To: '+447700900123',
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  SmsSid: 'SM0123456789abcdef0123456789abcdef',
  MessageStatus,
  SmsStatus: MessageStatus,
  ...extra,
});

describe('twilioReceiptSource', () => {
  it('turns a signed delivered callback into a delivered receipt with the ids from the signed URL', async () => {
    const outcome = await source.handle(callback(status('delivered')), signal);
    expect(outcome).toEqual({
      kind: 'accepted',
      receipts: [
        {
          receiptId: 'SM0123456789abcdef0123456789abcdef:delivered',
          provider: 'twilio',
          channel: 'sms',
          providerMessageId: 'SM0123456789abcdef0123456789abcdef',
          deliveryId: DELIVERY,
          messageId: MESSAGE,
          recipient: '+447700900123',
          outcome: 'delivered',
          permanent: false,
          at: expect.any(String),
        },
      ],
    });
  });

  it('maps undelivered 30003 to a transient undelivered receipt and 30005 to a permanent one, with Herald reason codes and safe summaries', async () => {
    const soft = await source.handle(callback(status('undelivered', { ErrorCode: '30003' })), signal);
    expect(soft).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'undelivered', permanent: false, reasonCode: 'TWILIO_30003', summary: 'The handset was unreachable (switched off or out of coverage).' }] });
    const hard = await source.handle(callback(status('undelivered', { ErrorCode: '30005' })), signal);
    expect(hard).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'undelivered', permanent: true, reasonCode: 'TWILIO_30005' }] });
  });

  it('maps failed to rejected, and ErrorCode 21610 to opted_out', async () => {
    expect(await source.handle(callback(status('failed', { ErrorCode: '30008' })), signal)).toMatchObject({ receipts: [{ outcome: 'rejected', permanent: false }] });
    expect(await source.handle(callback(status('failed', { ErrorCode: '21610' })), signal)).toMatchObject({ receipts: [{ outcome: 'opted_out', permanent: true, reasonCode: 'TWILIO_21610', recipient: '+447700900123' }] });
  });

  it('accepts interim statuses (queued, sent) without a receipt', async () => {
    expect(await source.handle(callback(status('sent')), signal)).toEqual({ kind: 'accepted', receipts: [] });
    expect(await source.handle(callback(status('queued')), signal)).toEqual({ kind: 'accepted', receipts: [] });
  });

  it('turns an inbound STOP (OptOutType) into an opted_out receipt for its sender, and answers empty TwiML', async () => {
    const url = 'https://receipts.example.com/providers/twilio/events';
    const stop = { AccountSid: ACCOUNT, MessageSid: 'SMfedcba9876543210fedcba9876543210', SmsStatus: 'received', From: '+447700900123', To: '+15005550006', Body: 'STOP', OptOutType: 'STOP' };
    const outcome = await source.handle(callback(stop, { url }), signal);
    expect(outcome).toMatchObject({
      kind: 'accepted',
      receipts: [{ receiptId: 'SMfedcba9876543210fedcba9876543210:opt-out', outcome: 'opted_out', permanent: true, recipient: '+447700900123', providerMessageId: 'SMfedcba9876543210fedcba9876543210' }],
      response: { status: 200, contentType: 'text/xml' },
    });
    expect(await source.handle(callback({ ...stop, Body: 'hello', OptOutType: '' }, { url }), signal)).toMatchObject({ kind: 'accepted', receipts: [] });
  });

  it('refuses a callback without a signature (401)', async () => {
    expect(await source.handle(callback(status('delivered'), { signature: null }), signal)).toMatchObject({ kind: 'refused', status: 401 });
  });

  it('refuses a signature made with another Auth Token, a changed parameter, or other ids in the URL (403)', async () => {
    expect(await source.handle(callback(status('delivered'), { token: 'someone-else' }), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle(callback(status('delivered'), { body: status('undelivered') }), signal)).toMatchObject({ kind: 'refused', status: 403 });
    const signedForOther = twilio.getExpectedTwilioSignature(TOKEN, URL_WITH_IDS, status('delivered'));
    const otherIds = URL_WITH_IDS.replace(DELIVERY, '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a99');
    expect(await source.handle(callback(status('delivered'), { url: otherIds, signature: signedForOther }), signal)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses a correctly signed callback for another account (403), and a body that is not a form (415)', async () => {
    expect(await source.handle(callback(status('delivered', { AccountSid: 'ACffffffffffffffffffffffffffffffff' })), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle(callback(status('delivered'), { contentType: 'application/json' }), signal)).toMatchObject({ kind: 'refused', status: 415 });
  });

  it('gives a replayed callback the same receiptId, so tracking stores it once (Twilio signatures carry no timestamp)', async () => {
    const first = await source.handle(callback(status('delivered')), signal);
    const again = await source.handle(callback(status('delivered')), signal);
    expect(first.kind === 'accepted' && first.receipts[0]?.receiptId).toBe(again.kind === 'accepted' && again.receipts[0]?.receiptId);
  });
});
