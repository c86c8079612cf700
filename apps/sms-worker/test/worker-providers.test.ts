/**
 * The sms-worker process configured for a real provider (SMS_PROVIDERS and its variables) in the
 * whole pipeline, against that provider's emulator: a message reaches the provider and is `sent`
 * with the provider's id, a permanent error fails it, and an in-doubt send (the provider accepted
 * it but the answer was lost) is resolved as designed: Twilio's lookup finds it and it is not sent
 * again; SNS has no lookup, so IN_DOUBT_POLICY=fail fails it without resending.
 */
import { RECEIPT_ID_PARAMS, deliveryIdFor, type NorthRequest } from '@herald/contracts';
import { HeraldStack, startEmulator, startReceiptListener, uniqueRecipient, type ReceiptListener, type RunningEmulator } from '@herald/testing';

const TWILIO = { TWILIO_ACCOUNT_SID: 'AC11112222333344445555666677778888', TWILIO_AUTH_TOKEN: 'worker-test-token', TWILIO_FROM: '+15005550006' };
const SNS = { SNS_ACCESS_KEY_ID: 'AKIAWORKERTEST000001', SNS_SECRET_ACCESS_KEY: 'worker-test-secret' };
/** Short timeouts so that an in-doubt send is looked at again within the test. */
const FAST = { SEND_TIMEOUT_MS: '3000', SEND_LEASE_MS: '3500', RETRY_BASE_MS: '200', RETRY_JITTER_PERCENT: '0' };

function smsOnly(text: string, phone = uniqueRecipient().phone): NorthRequest {
  return { to: { phone }, channels: ['sms'], sms: { text }, metadata: {} };
}

const final = (m: { deliveries: Array<{ status: string }> }) => m.deliveries.length > 0 && m.deliveries.every((d) => d.status === 'sent' || d.status === 'failed');

describe('sms-worker with SMS_PROVIDERS=twilio', () => {
  let emulator: RunningEmulator;
  let listener: ReceiptListener;
  let stack: HeraldStack;

  beforeAll(async () => {
    listener = await startReceiptListener();
    emulator = await startEmulator('twilio', { logGroup: 'sms-worker-twilio', settings: { accountSid: TWILIO.TWILIO_ACCOUNT_SID, authToken: TWILIO.TWILIO_AUTH_TOKEN } });
    stack = await HeraldStack.start({
      name: 'sms-worker-twilio',
      apps: ['ingest-api', 'kafka-bridge', 'sms-worker'],
      sinks: false,
      env: { 'sms-worker': { SMS_PROVIDERS: 'twilio', ...TWILIO, TWILIO_API_URL: emulator.url, RECEIPTS_PUBLIC_URL: listener.url, ...FAST } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await emulator?.process.stop();
    await listener?.close();
  }, 60_000);

  it('sends through Twilio, records the Message SID, and Twilio reports to the receipts URL with the ids', async () => {
    const request = smsOnly('Your code is 424242');
    const { body } = await stack.post(request);
    const view = await stack.waitForMessage(body.id);
    const [stored] = await emulator.client.messages(request.to.phone);
    expect(stored).toMatchObject({ to: request.to.phone, text: 'Your code is 424242', from: TWILIO.TWILIO_FROM });
    expect(view.deliveries).toEqual([expect.objectContaining({ status: 'sent', attempts: 1, providerMessageId: stored?.id })]);
    const deliveryId = deliveryIdFor(body.id, 'sms');
    const callbacks = await listener.received(2, (c) => c.query[RECEIPT_ID_PARAMS.deliveryId] === deliveryId);
    expect(new URL(callbacks[0]?.url ?? '').pathname).toBe('/providers/twilio/events');
  }, 60_000);

  it('fails a message to an invalid number at once with Twilio\'s code', async () => {
    const { body } = await stack.post(smsOnly('Hello', '+15005550001'));
    const view = await stack.waitForMessage(body.id, final);
    expect(view.deliveries).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, lastError: expect.stringContaining('TWILIO_21211') })]);
  }, 60_000);

  it('resolves a send whose answer was lost by looking it up: sent once, with the SID Twilio gave it', async () => {
    const request = smsOnly('Your code is 737373');
    await emulator.client.fail({ to: request.to.phone, drop: 'after' });
    const { body } = await stack.post(request);
    const view = await stack.waitForMessage(body.id, final, 45_000);
    const stored = await emulator.client.messages(request.to.phone);
    expect(stored).toHaveLength(1);
    expect(view.deliveries).toEqual([expect.objectContaining({ status: 'sent', providerMessageId: stored[0]?.id })]);
    expect(view.history.map((h) => h.type)).toContain('attempt_failed');
  }, 60_000);
});

describe('sms-worker with SMS_PROVIDERS=sns and IN_DOUBT_POLICY=fail', () => {
  let emulator: RunningEmulator;
  let stack: HeraldStack;

  beforeAll(async () => {
    emulator = await startEmulator('sns', { logGroup: 'sms-worker-sns', settings: { accessKeyId: SNS.SNS_ACCESS_KEY_ID, secretAccessKey: SNS.SNS_SECRET_ACCESS_KEY } });
    stack = await HeraldStack.start({
      name: 'sms-worker-sns',
      apps: ['ingest-api', 'kafka-bridge', 'sms-worker'],
      sinks: false,
      env: { 'sms-worker': { SMS_PROVIDERS: 'sns', SNS_REGION: 'eu-west-1', SNS_ENDPOINT: emulator.url, ...SNS, SNS_SENDER_ID: 'Herald', IN_DOUBT_POLICY: 'fail', ...FAST } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await emulator?.process.stop();
  }, 60_000);

  it('publishes through SNS and records the MessageId', async () => {
    const request = smsOnly('Hello from SNS');
    const { body } = await stack.post(request);
    const view = await stack.waitForMessage(body.id);
    const [stored] = await emulator.client.messages(request.to.phone);
    expect(stored).toMatchObject({ text: 'Hello from SNS', from: 'Herald' });
    expect(view.deliveries).toEqual([expect.objectContaining({ status: 'sent', providerMessageId: stored?.id })]);
  }, 60_000);

  it('fails a send whose answer was lost without sending it again (no lookup, policy fail)', async () => {
    const request = smsOnly('Hello once');
    await emulator.client.fail({ to: request.to.phone, drop: 'after' });
    const { body } = await stack.post(request);
    const view = await stack.waitForMessage(body.id, final, 45_000);
    expect(view.deliveries).toEqual([expect.objectContaining({ status: 'failed', lastError: expect.stringContaining('not resending (policy: fail)') })]);
    expect(await emulator.client.messages(request.to.phone)).toHaveLength(1);
  }, 60_000);
});
