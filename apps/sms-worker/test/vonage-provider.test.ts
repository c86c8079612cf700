/**
 * The Vonage provider against the Vonage emulator as a process: the SMS API call it makes
 * (credentials, client-ref, callback, unicode), how Vonage's per-message statuses and HTTP errors
 * classify, and in-doubt sends with and without the Reports API lookup.
 */
import { deliveryIdFor, newMessageId, type SmsJob } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';
import { freePort, startEmulator, startReceiptListener, type ReceiptListener, type RunningEmulator } from '@herald/testing';
import { VonageSmsProvider, vonageMessageType, type VonageSmsSettings } from '../src/providers/vonage-provider';

const KEY = 'f00dcafe';
const SECRET = 'VonageTestSecret9';

let emulator: RunningEmulator;
let listener: ReceiptListener;
let provider: VonageSmsProvider;

function settings(extra: Partial<VonageSmsSettings> = {}): VonageSmsSettings {
  return { apiKey: KEY, apiSecret: SECRET, from: 'Herald', apiUrl: emulator.url, callbackUrl: `${listener.url}/providers/vonage/events`, reportsUrl: emulator.url, ...extra };
}

beforeAll(async () => {
  listener = await startReceiptListener();
  emulator = await startEmulator('vonage', { logGroup: 'vonage-provider', settings: { apiKey: KEY, apiSecret: SECRET, signatureSecret: 'sig-secret', signatureMethod: 'sha256' } });
  provider = new VonageSmsProvider(settings());
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await listener?.close();
});

afterEach(async () => {
  await emulator.client.clearFaults();
});

let counter = 0;
function job(text?: string): SmsJob {
  counter += 1;
  text ??= `Your code is ${100_000 + counter}`;
  const messageId = newMessageId();
  return { v: 1, messageId, deliveryId: deliveryIdFor(messageId, 'sms'), generation: 0, acceptedAt: new Date().toISOString(), to: `+4477009${String(200_000 + counter).slice(-5)}`, content: { text } };
}

const signal = () => AbortSignal.timeout(5_000);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('VonageSmsProvider', () => {
  it('sends from, to (without +), text, the deliveryId as client-ref and a callback with the ids, and returns the message-id', async () => {
    const j = job();
    const receipt = await provider.send(j, signal());
    const [stored] = await emulator.client.messages(j.to);
    expect(stored).toMatchObject({ id: receipt.providerMessageId, to: j.to, from: 'Herald', text: j.content.text, extra: { clientRef: j.deliveryId, type: 'text' } });
    const callback = new URL(String(stored?.extra['callback']));
    expect(callback.pathname).toBe('/providers/vonage/events');
    expect(callback.searchParams.get('heraldDeliveryId')).toBe(j.deliveryId);
    expect(callback.searchParams.get('heraldMessageId')).toBe(j.messageId);
    // The delivery receipt follows, to that URL, signed.
    const [dlr] = await listener.received(1, (r) => r.query['heraldDeliveryId'] === j.deliveryId);
    expect(JSON.parse(dlr?.rawBody.toString() ?? '{}')).toMatchObject({ messageId: receipt.providerMessageId, status: 'delivered', 'client-ref': j.deliveryId, 'api-key': KEY, sig: expect.stringMatching(/^[0-9A-F]{64}$/) });
  });

  it('sends text outside the GSM alphabet as unicode, and a long text as parts whose first id is kept', async () => {
    expect(vonageMessageType('Grüße, 12 € {ok}')).toBe('text');
    expect(vonageMessageType('Привет 👋')).toBe('unicode');
    const j = job(`Привет ${'x'.repeat(100)}`);
    const receipt = await provider.send(j, signal());
    const [stored] = await emulator.client.messages(j.to);
    expect(stored?.extra['type']).toBe('unicode');
    expect(stored?.extra['messageIds']).toHaveLength(2);
    expect(receipt.providerMessageId).toBe((stored?.extra['messageIds'] as string[])[0]);
  });

  it('is refused with status 4 on a wrong secret, classified transient (the operator fixes it)', async () => {
    const wrong = new VonageSmsProvider(settings({ apiSecret: 'wrong' }));
    expect(await failure(wrong.send(job(), signal()))).toMatchObject({ code: 'VONAGE_4', permanent: false, outcomeUnknown: false });
  });

  it.each([
    ['1', false],
    ['5', false],
    ['9', false],
    ['3', true],
    ['6', true],
    ['7', true],
    ['29', true],
  ])('classifies SMS API status %s from the documented codes (permanent: %s)', async (code, permanent) => {
    await emulator.client.fail({ status: 200, code });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: `VONAGE_${code}`, permanent, outcomeUnknown: false });
  });

  it('classifies an HTTP 500 as transient with an unknown outcome, and 429 as transient', async () => {
    await emulator.client.fail({ status: 500 });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'VONAGE_HTTP_500', permanent: false, outcomeUnknown: true });
    await emulator.client.fail({ status: 429 });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'VONAGE_HTTP_429', permanent: false, outcomeUnknown: false });
  });

  it('has no lookup without the Reports API: an in-doubt send is left to IN_DOUBT_POLICY', async () => {
    expect(provider.lookup).toBeUndefined();
    const j = job();
    await emulator.client.fail({ to: j.to, drop: 'after' });
    expect(await failure(provider.send(j, signal()))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await emulator.client.messages(j.to)).toHaveLength(1);
  });

  it('with the Reports API lookup, finds an in-doubt send by client-ref, and answers null for one Vonage never got', async () => {
    const reports = new VonageSmsProvider(settings({ reportsLookup: true }));
    const sent = job();
    await emulator.client.fail({ to: sent.to, drop: 'after' });
    expect(await failure(reports.send(sent, signal()))).toMatchObject({ outcomeUnknown: true });
    const [stored] = await emulator.client.messages(sent.to);
    expect(await reports.lookup?.(sent, signal())).toEqual({ providerMessageId: stored?.id });
    const lost = job();
    await emulator.client.fail({ to: lost.to, drop: 'before' });
    expect(await failure(reports.send(lost, signal()))).toMatchObject({ outcomeUnknown: true });
    expect(await reports.lookup?.(lost, signal())).toBeNull();
  });

  it('classifies an unreachable API as certainly not sent, and a send cut off by its deadline as an unknown outcome', async () => {
    const nobody = new VonageSmsProvider(settings({ apiUrl: `http://127.0.0.1:${await freePort()}` }));
    expect(await failure(nobody.send(job(), signal()))).toMatchObject({ code: 'ECONNREFUSED', outcomeUnknown: false });
    await emulator.client.fail({ delayMs: 1_500 });
    expect(await failure(provider.send(job(), AbortSignal.timeout(200)))).toMatchObject({ permanent: false, outcomeUnknown: true });
  });
});
