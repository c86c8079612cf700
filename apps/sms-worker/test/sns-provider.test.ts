/**
 * The SNS provider (the official @aws-sdk/client-sns with `endpoint`) against the SNS emulator as
 * a process: a Publish signed with SigV4 by the configured key, SNS's documented errors, the
 * opt-out check, and an in-doubt send (SNS has neither idempotency nor lookup).
 */
import { deliveryIdFor, newMessageId, type SmsJob } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';
import { freePort, startEmulator, type RunningEmulator } from '@herald/testing';
import { SnsSmsProvider, type SnsSmsSettings } from '../src/providers/sns-provider';

const ACCESS_KEY = 'AKIATESTSNS000000001';
const SECRET_KEY = 'test-secret-access-key-for-sns';
const OPTED_OUT = '+447700900999';

let emulator: RunningEmulator;
let provider: SnsSmsProvider;

function settings(extra: Partial<SnsSmsSettings> = {}): SnsSmsSettings {
  return { region: 'eu-west-1', endpoint: emulator.url, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, senderId: 'Herald', smsType: 'Transactional', ...extra };
}

beforeAll(async () => {
  emulator = await startEmulator('sns', { logGroup: 'sns-provider', settings: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, optedOut: OPTED_OUT } });
  provider = new SnsSmsProvider(settings());
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await emulator?.process.stop();
});

afterEach(async () => {
  await emulator.client.clearFaults();
});

let counter = 0;
function job(to = `+4477009${String(300_000 + (counter += 1)).slice(-5)}`): SmsJob {
  const messageId = newMessageId();
  return { v: 1, messageId, deliveryId: deliveryIdFor(messageId, 'sms'), generation: 0, acceptedAt: new Date().toISOString(), to, content: { text: `Your code is ${100_000 + counter}` } };
}

const signal = () => AbortSignal.timeout(5_000);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('SnsSmsProvider', () => {
  it('publishes to the phone number with the SMS attributes, signed by the configured key, and returns the MessageId', async () => {
    const j = job();
    const receipt = await provider.send(j, signal());
    expect(receipt.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    const [stored] = await emulator.client.messages(j.to);
    expect(stored).toMatchObject({
      id: receipt.providerMessageId,
      text: j.content.text,
      from: 'Herald',
      extra: { accessKeyId: ACCESS_KEY, attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'Herald' } },
    });
  });

  it('is refused with InvalidClientTokenId for another access key and SignatureDoesNotMatch for a wrong secret, both transient', async () => {
    const otherKey = new SnsSmsProvider(settings({ accessKeyId: 'AKIAOTHER00000000000' }));
    expect(await failure(otherKey.send(job(), signal()))).toMatchObject({ code: 'SNS_InvalidClientTokenId', permanent: false });
    const wrongSecret = new SnsSmsProvider(settings({ secretAccessKey: 'wrong' }));
    expect(await failure(wrongSecret.send(job(), signal()))).toMatchObject({ code: 'SNS_SignatureDoesNotMatch', permanent: false });
    expect(await emulator.client.messages()).not.toContainEqual(expect.objectContaining({ extra: expect.objectContaining({ accessKeyId: 'AKIAOTHER00000000000' }) }));
  });

  it('classifies a number SNS refuses (InvalidParameter) as permanent', async () => {
    await emulator.client.fail({ status: 400, code: 'InvalidParameter' });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'SNS_InvalidParameter', permanent: true });
  });

  it('classifies Throttling as transient, and InternalError as transient with an unknown outcome', async () => {
    await emulator.client.fail({ status: 400, code: 'Throttling' });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'SNS_Throttling', permanent: false, outcomeUnknown: false });
    await emulator.client.fail({ status: 500, code: 'InternalError' });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'SNS_InternalError', permanent: false, outcomeUnknown: true });
  });

  it('publishes to an opted-out number (SNS drops it silently) unless the opt-out check is on, which fails it with SNS_OPTED_OUT', async () => {
    await provider.send(job(OPTED_OUT), signal());
    expect((await emulator.client.messages(OPTED_OUT)).map((m) => m.extra['dropped'])).toEqual([true]);
    const checking = new SnsSmsProvider(settings({ checkOptOut: true }));
    expect(await failure(checking.send(job(OPTED_OUT), signal()))).toMatchObject({ code: 'SNS_OPTED_OUT', permanent: true });
    expect(await emulator.client.messages(OPTED_OUT)).toHaveLength(1);
    await checking.send(job(), signal());
    await checking.close();
  });

  it('has no lookup: a Publish accepted but unanswered is an unknown outcome left to IN_DOUBT_POLICY', async () => {
    expect('lookup' in provider).toBe(false);
    expect(provider.idempotent).toBe(false);
    const j = job();
    await emulator.client.fail({ to: j.to, drop: 'after' });
    expect(await failure(provider.send(j, signal()))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await emulator.client.messages(j.to)).toHaveLength(1);
  });

  it('classifies an unreachable endpoint as certainly not sent', async () => {
    const nobody = new SnsSmsProvider(settings({ endpoint: `http://127.0.0.1:${await freePort()}` }));
    expect(await failure(nobody.send(job(), signal()))).toMatchObject({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    await nobody.close();
  });
});
