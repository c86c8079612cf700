/**
 * Twilio's callbacks as the Twilio emulator (a process) sends them, captured by a listener and
 * handed to the Twilio receipt source: status callbacks for each outcome, a STOP opt-out, repeated
 * and early callbacks, and forged ones refused.
 */
import { RECEIPT_ID_PARAMS, deliveryIdFor, newMessageId } from '@herald/contracts';
import { startEmulator, startReceiptListener, type CapturedRequest, type ReceiptListener, type RunningEmulator } from '@herald/testing';
import type { ReceiptRequest } from '../src/providers/receipt-source';
import { twilioReceiptSource } from '../src/providers/twilio';

const ACCOUNT = 'ACabcdef0123456789abcdef0123456789';
const TOKEN = 'receipts-test-auth-token';

let emulator: RunningEmulator;
let listener: ReceiptListener;
const source = twilioReceiptSource({ authToken: TOKEN, accountSid: ACCOUNT });
const signal = new AbortController().signal;

beforeAll(async () => {
  listener = await startReceiptListener();
  emulator = await startEmulator('twilio', { logGroup: 'twilio-receipts', callbackUrl: `${listener.url}/providers/twilio/events`, settings: { accountSid: ACCOUNT, authToken: TOKEN } });
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await listener?.close();
});

afterEach(async () => {
  await emulator.client.receipts({ duplicates: 0, reverse: false, beforeResponse: false });
});

let counter = 0;
function delivery() {
  counter += 1;
  const messageId = newMessageId();
  const deliveryId = deliveryIdFor(messageId, 'sms');
  const url = new URL(`${listener.url}/providers/twilio/events`);
  url.searchParams.set(RECEIPT_ID_PARAMS.deliveryId, deliveryId);
  url.searchParams.set(RECEIPT_ID_PARAMS.messageId, messageId);
  return { messageId, deliveryId, to: `+4477009${String(400_000 + counter).slice(-5)}`, statusCallback: url.toString() };
}

/** Creates a Message the way Twilio's REST API takes it (form body, Basic auth). */
async function send(d: { to: string; statusCallback: string }): Promise<{ status: number; body: { sid?: string; code?: number } }> {
  const response = await fetch(`${emulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ To: d.to, From: '+15005550006', Body: 'Hello', StatusCallback: d.statusCallback }).toString(),
  });
  return { status: response.status, body: (await response.json()) as { sid?: string; code?: number } };
}

function asRequest(c: CapturedRequest): ReceiptRequest {
  return { provider: 'twilio', url: c.url, method: c.method, headers: c.headers, rawBody: c.rawBody, query: c.query };
}

const forDelivery = (deliveryId: string) => (c: CapturedRequest) => c.query[RECEIPT_ID_PARAMS.deliveryId] === deliveryId;

async function receiptsOf(captured: CapturedRequest[]) {
  const outcomes = await Promise.all(captured.map((c) => source.handle(asRequest(c), signal)));
  for (const o of outcomes) expect(o.kind).toBe('accepted');
  return outcomes.flatMap((o) => (o.kind === 'accepted' ? o.receipts : []));
}

describe('Twilio callbacks from the emulator through the Twilio receipt source', () => {
  it('verifies the sent and delivered callbacks and reports delivered with Herald\'s ids and the Message SID', async () => {
    const d = delivery();
    const { status, body } = await send(d);
    expect(status).toBe(201);
    const receipts = await receiptsOf(await listener.received(2, forDelivery(d.deliveryId)));
    expect(receipts).toEqual([expect.objectContaining({ outcome: 'delivered', deliveryId: d.deliveryId, messageId: d.messageId, providerMessageId: body.sid, recipient: d.to })]);
  });

  it('reports a hard bounce as permanent undelivered and a soft one as transient', async () => {
    const hard = delivery();
    const soft = delivery();
    await emulator.client.receipts({ outcomes: { [hard.to]: ['bounced'], [soft.to]: ['soft_bounced'] } });
    await send(hard);
    await send(soft);
    expect(await receiptsOf(await listener.received(2, forDelivery(hard.deliveryId)))).toEqual([expect.objectContaining({ outcome: 'undelivered', permanent: true, reasonCode: 'TWILIO_30005' })]);
    expect(await receiptsOf(await listener.received(2, forDelivery(soft.deliveryId)))).toEqual([expect.objectContaining({ outcome: 'undelivered', permanent: false, reasonCode: 'TWILIO_30003' })]);
  });

  it('reports a STOP reply as opted_out for that number, and Twilio then refuses the number with 21610', async () => {
    const d = delivery();
    await emulator.client.receipts({ outcomes: { [d.to]: ['delivered', 'opted_out'] } });
    await send(d);
    const [stop] = await listener.received(1, (c) => new URLSearchParams(c.rawBody.toString()).get('OptOutType') === 'STOP' && new URLSearchParams(c.rawBody.toString()).get('From') === d.to);
    const outcome = await source.handle(asRequest(stop as CapturedRequest), signal);
    expect(outcome).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'opted_out', permanent: true, recipient: d.to }], response: { contentType: 'text/xml' } });
    expect(await send({ ...delivery(), to: d.to })).toMatchObject({ status: 400, body: { code: 21610 } });
  });

  it('gives duplicated and out-of-order callbacks the same receiptIds, so each is stored once', async () => {
    const d = delivery();
    await emulator.client.receipts({ duplicates: 1, reverse: true });
    await send(d);
    const receipts = await receiptsOf(await listener.received(4, forDelivery(d.deliveryId)));
    expect(receipts).toHaveLength(2);
    expect(new Set(receipts.map((r) => r.receiptId)).size).toBe(1);
  });

  it('can deliver the callbacks before the API call is answered, already carrying the ids', async () => {
    const d = delivery();
    await emulator.client.receipts({ beforeResponse: true });
    await send(d);
    const early = listener.requests.filter(forDelivery(d.deliveryId));
    expect(early.length).toBeGreaterThanOrEqual(1);
    expect((await receiptsOf(await listener.received(2, forDelivery(d.deliveryId)))).map((r) => r.deliveryId)).toEqual([d.deliveryId]);
  });

  it('refuses a captured callback whose body or URL was changed, or checked with another Auth Token, changing nothing', async () => {
    const d = delivery();
    await send(d);
    const [, delivered] = await listener.received(2, forDelivery(d.deliveryId));
    const request = asRequest(delivered as CapturedRequest);
    const forgedBody = Buffer.from(request.rawBody.toString().replace('MessageStatus=delivered', 'MessageStatus=undelivered'));
    expect(await source.handle({ ...request, rawBody: forgedBody }, signal)).toMatchObject({ kind: 'refused', status: 403 });
    const otherDelivery = request.url.replace(d.deliveryId, deliveryIdFor(newMessageId(), 'sms'));
    expect(await source.handle({ ...request, url: otherDelivery }, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await twilioReceiptSource({ authToken: 'another-token' }).handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle({ ...request, headers: { ...request.headers, 'x-twilio-signature': undefined } }, signal)).toMatchObject({ kind: 'refused', status: 401 });
  });
});
