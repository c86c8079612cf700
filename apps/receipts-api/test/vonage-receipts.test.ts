/**
 * Vonage delivery receipts as the Vonage emulator (a process) sends them, captured by a listener
 * and handed to the Vonage receipt source: each outcome, every part of a long message, the GET
 * form, Vonage's own verifier (@vonage/sms) agreeing with ours, and forged or stale DLRs refused.
 */
import { spawnSync } from 'node:child_process';
import { RECEIPT_ID_PARAMS, deliveryIdFor, newMessageId } from '@herald/contracts';
import { startEmulator, startReceiptListener, type CapturedRequest, type ReceiptListener, type RunningEmulator } from '@herald/testing';
import type { ReceiptRequest } from '../src/providers/receipt-source';
import { vonageReceiptSource, type VonageSignatureMethod } from '../src/providers/vonage';

const KEY = 'c0ffee42';
const SECRET = 'ReceiptsSecret1';
const SIGNATURE_SECRET = 'receipts-signature-secret';

let listener: ReceiptListener;
let json: RunningEmulator;
let get: RunningEmulator;

const sourceFor = (method: VonageSignatureMethod, now?: () => number) => vonageReceiptSource({ apiKey: KEY, signatureSecret: SIGNATURE_SECRET, signatureMethod: method, maxAgeSec: 300, ...(now ? { now } : {}) });
const signal = new AbortController().signal;

beforeAll(async () => {
  listener = await startReceiptListener();
  const settings = { apiKey: KEY, apiSecret: SECRET, signatureSecret: SIGNATURE_SECRET };
  [json, get] = await Promise.all([
    startEmulator('vonage', { logGroup: 'vonage-receipts', settings: { ...settings, signatureMethod: 'sha256', dlrMethod: 'POST-JSON' } }),
    startEmulator('vonage', { logGroup: 'vonage-receipts-get', settings: { ...settings, signatureMethod: 'md5hash', dlrMethod: 'GET' } }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([json?.process.stop(), get?.process.stop()]);
  await listener?.close();
});

let counter = 0;
function delivery() {
  counter += 1;
  const messageId = newMessageId();
  const deliveryId = deliveryIdFor(messageId, 'sms');
  const url = new URL(`${listener.url}/providers/vonage/events`);
  url.searchParams.set(RECEIPT_ID_PARAMS.deliveryId, deliveryId);
  url.searchParams.set(RECEIPT_ID_PARAMS.messageId, messageId);
  return { messageId, deliveryId, to: `4477009${String(500_000 + counter).slice(-5)}`, callback: url.toString() };
}

/** Sends through the SMS API as Vonage documents it (JSON body with api_key and api_secret). */
async function send(emulator: RunningEmulator, d: { deliveryId: string; to: string; callback: string }, text = 'Hello'): Promise<{ messages: Array<{ 'message-id': string; status: string }> }> {
  const response = await fetch(`${emulator.url}/sms/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: KEY, api_secret: SECRET, from: 'Herald', to: d.to, text, 'client-ref': d.deliveryId, callback: d.callback }),
  });
  return (await response.json()) as { messages: Array<{ 'message-id': string; status: string }> };
}

function asRequest(c: CapturedRequest): ReceiptRequest {
  return { provider: 'vonage', url: c.url, method: c.method, headers: c.headers, rawBody: c.rawBody, query: c.query };
}

const forDelivery = (deliveryId: string) => (c: CapturedRequest) => c.query[RECEIPT_ID_PARAMS.deliveryId] === deliveryId;

/** The DLR's parameters checked by @vonage/sms's own verifySignature, in a plain Node process. */
function vonageSdkVerifies(params: Record<string, string>, algorithm: 'SHA256HMAC' | 'MD5HASH'): boolean {
  const script = `
    const { SMS } = require('@vonage/sms');
    const input = JSON.parse(process.argv[1]);
    const sms = new SMS({ apiKey: input.key, apiSecret: 'unused' });
    process.stdout.write(String(sms.verifySignature(input.params.sig, input.params, input.secret, input.algorithm)));`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify({ key: KEY, params, secret: SIGNATURE_SECRET, algorithm })], { encoding: 'utf8', cwd: __dirname });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout === 'true';
}

describe('Vonage DLRs from the emulator through the Vonage receipt source', () => {
  it('verifies a signed POST-JSON DLR (sha256) and reports delivered with Herald\'s ids; Vonage\'s own verifier agrees', async () => {
    const d = delivery();
    const answer = await send(json, d);
    const [dlr] = await listener.received(1, forDelivery(d.deliveryId));
    const outcome = await sourceFor('sha256').handle(asRequest(dlr as CapturedRequest), signal);
    expect(outcome).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered', deliveryId: d.deliveryId, messageId: d.messageId, providerMessageId: answer.messages[0]?.['message-id'], recipient: `+${d.to}` }] });
    expect(vonageSdkVerifies(JSON.parse(dlr?.rawBody.toString() ?? '{}') as Record<string, string>, 'SHA256HMAC')).toBe(true);
  });

  it('verifies a GET DLR signed with md5hash (Vonage\'s default method); Vonage\'s own verifier agrees', async () => {
    const d = delivery();
    await send(get, d);
    const [dlr] = await listener.received(1, (c) => c.method === 'GET' && forDelivery(d.deliveryId)(c));
    expect(await sourceFor('md5hash').handle(asRequest(dlr as CapturedRequest), signal)).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered', deliveryId: d.deliveryId, messageId: d.messageId }] });
    const signed = Object.fromEntries(Object.entries(dlr?.query ?? {}).filter(([k]) => !Object.values<string>(RECEIPT_ID_PARAMS).includes(k))) as Record<string, string>;
    expect(vonageSdkVerifies(signed, 'MD5HASH')).toBe(true);
  });

  it('reports each part of a long message, all matched to the delivery, each stored once', async () => {
    const d = delivery();
    const answer = await send(json, d, 'x'.repeat(300));
    expect(answer.messages).toHaveLength(2);
    const receipts = (await Promise.all((await listener.received(2, forDelivery(d.deliveryId))).map((c) => sourceFor('sha256').handle(asRequest(c), signal)))).flatMap((o) => (o.kind === 'accepted' ? o.receipts : []));
    expect(receipts.map((r) => r.deliveryId)).toEqual([d.deliveryId, d.deliveryId]);
    expect(new Set(receipts.map((r) => r.receiptId)).size).toBe(2);
  });

  it('reports an absent subscriber (err-code 3) as permanent and a network error (8) as transient', async () => {
    const hard = delivery();
    const soft = delivery();
    await json.client.receipts({ outcomes: { [`+${hard.to}`]: ['bounced'], [`+${soft.to}`]: ['undelivered'] } });
    await send(json, hard);
    await send(json, soft);
    const receipt = async (deliveryId: string) => {
      const [c] = await listener.received(1, forDelivery(deliveryId));
      const o = await sourceFor('sha256').handle(asRequest(c as CapturedRequest), signal);
      return o.kind === 'accepted' ? o.receipts[0] : o;
    };
    expect(await receipt(hard.deliveryId)).toMatchObject({ outcome: 'undelivered', permanent: true, reasonCode: 'VONAGE_DLR_3' });
    expect(await receipt(soft.deliveryId)).toMatchObject({ outcome: 'undelivered', permanent: false, reasonCode: 'VONAGE_DLR_8' });
  });

  it('refuses a forged DLR, one checked with another method or secret, and a stale one, changing nothing', async () => {
    const d = delivery();
    await send(json, d);
    const [dlr] = await listener.received(1, forDelivery(d.deliveryId));
    const request = asRequest(dlr as CapturedRequest);
    const params = JSON.parse(request.rawBody.toString()) as Record<string, string>;
    const forged = { ...request, rawBody: Buffer.from(JSON.stringify({ ...params, status: 'failed', 'err-code': '3' })) };
    expect(await sourceFor('sha256').handle(forged, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(vonageSdkVerifies({ ...params, status: 'failed', 'err-code': '3' }, 'SHA256HMAC')).toBe(false);
    expect(await sourceFor('sha512').handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await vonageReceiptSource({ apiKey: KEY, signatureSecret: 'other', signatureMethod: 'sha256', maxAgeSec: 300 }).handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
    const tenMinutesLater = () => Date.now() + 10 * 60_000;
    expect(await sourceFor('sha256', tenMinutesLater).handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
  });
});
