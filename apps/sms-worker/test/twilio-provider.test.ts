/**
 * The Twilio provider (the official twilio library, rebased) against the Twilio emulator as a
 * process: the Messages API call it makes, how Twilio's errors and test numbers classify, and how
 * an in-doubt send is resolved by looking it up instead of sending it again.
 */
import { deliveryIdFor, newMessageId, type SmsJob } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';
import { freePort, startEmulator, startReceiptListener, type ReceiptListener, type RunningEmulator } from '@herald/testing';
import { TwilioSmsProvider, type TwilioSmsSettings } from '../src/providers/twilio-provider';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-for-twilio';
const FROM = '+15005550006';

let emulator: RunningEmulator;
let listener: ReceiptListener;
let provider: TwilioSmsProvider;

function settings(extra: Partial<TwilioSmsSettings> = {}): TwilioSmsSettings {
  return { accountSid: ACCOUNT, authToken: TOKEN, from: FROM, apiUrl: emulator.url, statusCallbackUrl: `${listener.url}/providers/twilio/events`, timeoutMs: 5_000, ...extra };
}

beforeAll(async () => {
  listener = await startReceiptListener();
  emulator = await startEmulator('twilio', { logGroup: 'twilio-provider', settings: { accountSid: ACCOUNT, authToken: TOKEN } });
  provider = new TwilioSmsProvider(settings());
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await listener?.close();
});

afterEach(async () => {
  await emulator.client.clearFaults();
});

let counter = 0;
function job(to = `+4477009${String(100_000 + (counter += 1)).slice(-5)}`, text = `Your code is ${100_000 + counter}`): SmsJob {
  const messageId = newMessageId();
  return { v: 1, messageId, deliveryId: deliveryIdFor(messageId, 'sms'), generation: 0, acceptedAt: new Date().toISOString(), to, content: { text } };
}

const signal = () => AbortSignal.timeout(5_000);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('TwilioSmsProvider', () => {
  it('creates a Message with To, Body, From and a StatusCallback carrying the delivery and message ids, and returns its SID', async () => {
    const j = job();
    const receipt = await provider.send(j, signal());
    expect(receipt.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const [stored] = await emulator.client.messages(j.to);
    expect(stored).toMatchObject({ id: receipt.providerMessageId, to: j.to, from: FROM, text: j.content.text });
    const callback = new URL(String(stored?.extra['statusCallback']));
    expect(callback.pathname).toBe('/providers/twilio/events');
    expect(callback.searchParams.get('heraldDeliveryId')).toBe(j.deliveryId);
    expect(callback.searchParams.get('heraldMessageId')).toBe(j.messageId);
    // Twilio then reports sent and delivered to that URL, signed.
    const callbacks = await listener.received(2, (r) => r.query['heraldDeliveryId'] === j.deliveryId);
    expect(callbacks.map((c) => new URLSearchParams(c.rawBody.toString()).get('MessageStatus'))).toEqual(['sent', 'delivered']);
    expect(callbacks[0]?.headers['x-twilio-signature']).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('sends through a Messaging Service when one is configured', async () => {
    const service = new TwilioSmsProvider(settings({ from: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' }));
    const j = job();
    await service.send(j, signal());
    const [stored] = await emulator.client.messages(j.to);
    expect(stored?.extra['messagingServiceSid']).toBe('MG0123456789abcdef0123456789abcdef');
  });

  it('is refused with 20003 on a wrong Auth Token, classified transient: the operator fixes it, nothing is lost', async () => {
    const wrong = new TwilioSmsProvider(settings({ authToken: 'not-the-token' }));
    expect(await failure(wrong.send(job(), signal()))).toMatchObject({ code: 'TWILIO_20003', permanent: false, outcomeUnknown: false });
  });

  it.each([
    ['+15005550001', 'TWILIO_21211'],
    ['+15005550002', 'TWILIO_21612'],
    ['+15005550003', 'TWILIO_21408'],
    ['+15005550004', 'TWILIO_21610'],
    ['+15005550009', 'TWILIO_21614'],
  ])('classifies Twilio test number %s (%s) as a permanent failure', async (to, code) => {
    expect(await failure(provider.send(job(to), signal()))).toMatchObject({ code, permanent: true });
  });

  it('classifies a From number that is not ours (21606) as transient: it is the configuration, not the recipient', async () => {
    const notOurs = new TwilioSmsProvider(settings({ from: '+15005550007' }));
    expect(await failure(notOurs.send(job(), signal()))).toMatchObject({ code: 'TWILIO_21606', permanent: false });
  });

  it('classifies 20429 Too Many Requests as transient, and a 500 as transient with an unknown outcome (Twilio may have sent it)', async () => {
    await emulator.client.fail({ status: 429, code: '20429' });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'TWILIO_20429', permanent: false, outcomeUnknown: false });
    await emulator.client.fail({ status: 500, code: '20500' });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'TWILIO_20500', permanent: false, outcomeUnknown: true });
  });

  it('resolves an in-doubt send by lookup: accepted but unanswered, it is found by number and body and not sent again', async () => {
    const j = job();
    await emulator.client.fail({ to: j.to, drop: 'after' });
    const error = await failure(provider.send(j, signal()));
    expect(error).toMatchObject({ permanent: false, outcomeUnknown: true });
    const [stored] = await emulator.client.messages(j.to);
    expect(await provider.lookup(j, signal())).toEqual({ providerMessageId: stored?.id });
    expect(await emulator.client.messages(j.to)).toHaveLength(1);
  });

  it('answers null from lookup for a send Twilio never got (dropped before), and for another body to the same number', async () => {
    const j = job();
    await emulator.client.fail({ to: j.to, drop: 'before' });
    expect(await failure(provider.send(j, signal()))).toMatchObject({ outcomeUnknown: true });
    expect(await provider.lookup(j, signal())).toBeNull();
    await provider.send({ ...j, content: { text: 'something else' } }, signal());
    expect(await provider.lookup(j, signal())).toBeNull();
  });

  it('classifies an unreachable API as transient and certainly not sent', async () => {
    const nobody = new TwilioSmsProvider(settings({ apiUrl: `http://127.0.0.1:${await freePort()}` }));
    expect(await failure(nobody.send(job(), signal()))).toMatchObject({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });

  it('classifies a send cut off by its deadline as an unknown outcome', async () => {
    await emulator.client.fail({ delayMs: 1_500 });
    expect(await failure(provider.send(job(), AbortSignal.timeout(200)))).toMatchObject({ code: 'TIMEOUT', permanent: false, outcomeUnknown: true });
  });
});
