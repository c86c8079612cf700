/**
 * The Vonage receipt source on DLRs signed by Vonage's documented scheme, in every delivery form
 * (POST-JSON, POST form, GET), and the refusals: unsigned, another api-key, forged, stale.
 * Agreement with Vonage's own verifier (@vonage/sms) is checked in test/vonage-receipts.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import type { ReceiptRequest } from './receipt-source';
import { vonageExpectedSignature, vonageReceiptSource, type VonageSignatureMethod } from './vonage';

const KEY = 'f00dcafe';
const SECRET = 'unit-signature-secret';
const DELIVERY = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const MESSAGE = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const BASE = `https://receipts.example.com/providers/vonage/events?heraldDeliveryId=${DELIVERY}&heraldMessageId=${MESSAGE}`;

const source = (method: VonageSignatureMethod = 'sha256', now = NOW) => vonageReceiptSource({ apiKey: KEY, signatureSecret: SECRET, signatureMethod: method, maxAgeSec: 300, now: () => now });
const signal = new AbortController().signal;

function dlr(extra: Record<string, string> = {}): Record<string, string> {
  return {
    msisdn: '447700900123',
    to: 'Herald',
    'network-code': '23410',
    messageId: '0A00000012345678',
    price: '0.03330000',
    status: 'delivered',
    scts: '2612011159',
    'err-code': '0',
    'api-key': KEY,
    'client-ref': DELIVERY,
    'message-timestamp': '2026-12-01 11:59:58',
    timestamp: String(NOW / 1000 - 2),
    nonce: '6b5c8a2e-1f0d-4e3a-9b7c-2d1e0f9a8b7c',
    ...extra,
  };
}

/** Signed as the "Signing messages" guide's manual steps say, written out here independently. */
function signed(params: Record<string, string>, method: VonageSignatureMethod = 'sha256', secret = SECRET): Record<string, string> {
  const text = Object.keys(params).sort().map((k) => `&${k}=${(params[k] ?? '').replace(/[&=]/g, '_')}`).join('');
  const sig = method === 'md5hash' ? createHash('md5').update(text + secret).digest('hex') : createHmac(method, secret).update(text).digest('hex').toUpperCase();
  return { ...params, sig };
}

function post(params: Record<string, string>, contentType = 'application/json'): ReceiptRequest {
  const body = contentType === 'application/json' ? JSON.stringify(params) : new URLSearchParams(params).toString();
  return { provider: 'vonage', url: BASE, method: 'POST', headers: { 'content-type': contentType }, rawBody: Buffer.from(body), query: Object.fromEntries(new URL(BASE).searchParams) };
}

function get(params: Record<string, string>): ReceiptRequest {
  const url = new URL(BASE);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { provider: 'vonage', url: url.toString(), method: 'GET', headers: {}, rawBody: Buffer.alloc(0), query: Object.fromEntries(url.searchParams) };
}

describe('vonageReceiptSource', () => {
  it('computes the documented signature string: a leading &, sorted names, & and = in values replaced by _', () => {
    const params = { b: 'x=1&y', a: 'hello world' };
    expect(vonageExpectedSignature(params, 's', 'md5hash')).toBe(createHash('md5').update('&a=hello world&b=x_1_ys').digest('hex'));
    expect(vonageExpectedSignature({ ...params, sig: 'ignored' }, 's', 'sha1')).toBe(createHmac('sha1', 's').update('&a=hello world&b=x_1_y').digest('hex'));
  });

  it('turns a signed POST-JSON delivered DLR into a delivered receipt with the ids', async () => {
    expect(await source().handle(post(signed(dlr())), signal)).toEqual({
      kind: 'accepted',
      receipts: [
        {
          receiptId: '0A00000012345678:delivered:0',
          provider: 'vonage',
          channel: 'sms',
          providerMessageId: '0A00000012345678',
          deliveryId: DELIVERY,
          messageId: MESSAGE,
          recipient: '+447700900123',
          outcome: 'delivered',
          permanent: false,
          at: '2026-12-01T11:59:58.000Z',
        },
      ],
    });
  });

  it.each(VONAGE_METHODS())('verifies the %s signature method', async (method) => {
    expect(await source(method).handle(post(signed(dlr(), method)), signal)).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered' }] });
  });

  it('takes POST form and GET DLRs too (Herald\'s own query parameters are not part of what Vonage signed)', async () => {
    expect(await source().handle(post(signed(dlr()), 'application/x-www-form-urlencoded'), signal)).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered', deliveryId: DELIVERY }] });
    expect(await source().handle(get(signed(dlr())), signal)).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered', deliveryId: DELIVERY, messageId: MESSAGE }] });
  });

  it('maps failed, rejected, expired and buffered by err-code permanence', async () => {
    const outcome = async (status: string, err: string) => {
      const result = await source().handle(post(signed(dlr({ status, 'err-code': err }))), signal);
      return result.kind === 'accepted' ? result.receipts[0] : undefined;
    };
    expect(await outcome('failed', '3')).toMatchObject({ outcome: 'undelivered', permanent: true, reasonCode: 'VONAGE_DLR_3' });
    expect(await outcome('failed', '8')).toMatchObject({ outcome: 'undelivered', permanent: false, reasonCode: 'VONAGE_DLR_8' });
    expect(await outcome('rejected', '6')).toMatchObject({ outcome: 'rejected', permanent: true });
    expect(await outcome('expired', '2')).toMatchObject({ outcome: 'undelivered', permanent: false });
    expect(await outcome('buffered', '0')).toMatchObject({ outcome: 'deferred', permanent: false });
    expect(await outcome('accepted', '0')).toBeUndefined();
  });

  it('takes the deliveryId from client-ref when the callback URL has no ids', async () => {
    const request = { ...post(signed(dlr())), query: {} };
    expect(await source().handle(request, signal)).toMatchObject({ kind: 'accepted', receipts: [{ deliveryId: DELIVERY }] });
  });

  it('refuses an unsigned DLR (401), another api-key, a changed field and a wrong secret (403)', async () => {
    expect(await source().handle(post(dlr()), signal)).toMatchObject({ kind: 'refused', status: 401 });
    expect(await source().handle(post(signed(dlr({ 'api-key': 'deadbeef' }))), signal)).toMatchObject({ kind: 'refused', status: 403 });
    const forged = { ...signed(dlr()), status: 'failed' };
    expect(await source().handle(post(forged), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source().handle(post(signed(dlr(), 'sha256', 'not-our-secret')), signal)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses a stale or replayed DLR: its signed timestamp is more than the allowed age from now', async () => {
    const later = source('sha256', NOW + 10 * 60_000);
    expect(await later.handle(post(signed(dlr())), signal)).toMatchObject({ kind: 'refused', status: 403, reason: expect.stringContaining('timestamp') });
  });

  it('refuses a body it cannot read (415)', async () => {
    expect(await source().handle({ ...post(dlr()), headers: { 'content-type': 'text/plain' } }, signal)).toMatchObject({ kind: 'refused', status: 415 });
    expect(await source().handle({ ...post(dlr()), rawBody: Buffer.from('{') }, signal)).toMatchObject({ kind: 'refused', status: 415 });
  });
});

function VONAGE_METHODS(): VonageSignatureMethod[] {
  return ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'];
}
