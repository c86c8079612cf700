/**
 * The Postmark provider (postmark) against the Postmark emulator as a process: the Email API body
 * as Postmark receives it, its documented ErrorCodes classified, a wrong token refused, and sends
 * in doubt settled by the Messages API (outbound search by Herald's delivery id in Metadata).
 */
import { freePort, startEmulator, type RunningEmulator } from '@herald/testing';
import { PostmarkProvider, type PostmarkSettings } from '../src/providers/postmark-provider';
import { classification, emailJob, sendError, sender } from './support/provider-test';

let emulator: RunningEmulator;
let provider: PostmarkProvider;
let settings: PostmarkSettings;

beforeAll(async () => {
  emulator = await startEmulator('postmark', { logGroup: 'postmark-provider', settings: { serverToken: 'pm-test-token' } });
  settings = { ...sender, serverToken: 'pm-test-token', apiUrl: emulator.url, messageStream: 'outbound', timeoutMs: 3_000 };
  provider = new PostmarkProvider(settings);
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await emulator?.process.stop();
});

describe('PostmarkProvider', () => {
  it('sends the sender, ReplyTo, the stable Message-ID, one-click unsubscribe headers, the stream and Herald ids as Metadata', async () => {
    const job = emailJob();
    const receipt = await provider.send(job, AbortSignal.timeout(5_000));
    const [message] = await emulator.client.messages(job.to);
    expect(message).toMatchObject({ id: receipt.providerMessageId, from: 'news@acme.test', subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' });
    expect(message?.extra).toMatchObject({
      fromHeader: 'Acme News <news@acme.test>',
      replyTo: 'help@acme.test',
      messageStream: 'outbound',
      headers: { 'Message-ID': `<${job.deliveryId}@herald.test>`, 'List-Unsubscribe': '<https://acme.test/unsubscribe?u=42>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      metadata: { herald_message_id: job.messageId, herald_delivery_id: job.deliveryId },
    });
  });

  it.each([
    ['ErrorCode 300 (invalid email request) as permanent', { status: 422, code: '300' }, { code: 'POSTMARK_300', permanent: true, outcomeUnknown: false }],
    ['ErrorCode 406 (inactive recipient) as permanent', { status: 422, code: '406' }, { code: 'POSTMARK_406', permanent: true, outcomeUnknown: false }],
    ['ErrorCode 400 (sender signature not found) as transient', { status: 422, code: '400' }, { code: 'POSTMARK_400', permanent: false, outcomeUnknown: false }],
    ['ErrorCode 405 (not allowed to send) as transient', { status: 422, code: '405' }, { code: 'POSTMARK_405', permanent: false, outcomeUnknown: false }],
    ['a 429 as transient', { status: 429 }, { code: 'POSTMARK_429', permanent: false, outcomeUnknown: false }],
    ['a 500 as transient', { status: 500 }, { code: 'POSTMARK_HTTP_500', permanent: false, outcomeUnknown: false }],
  ])('classifies %s', async (_name, fault, expected) => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, ...fault });
    expect(classification(await sendError(provider, job))).toEqual(expected);
    expect(await emulator.client.messages(job.to)).toHaveLength(0);
  });

  it('is refused with a wrong server token (401, ErrorCode 10, transient)', async () => {
    const wrong = new PostmarkProvider({ ...settings, serverToken: 'not-it' });
    expect(classification(await sendError(wrong, emailJob()))).toEqual({ code: 'POSTMARK_10', permanent: false, outcomeUnknown: false });
  });

  it("settles a send whose answer was lost after Postmark accepted it: outbound search finds it by Herald's delivery id", async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'after' });
    expect(classification(await sendError(provider, job))).toMatchObject({ permanent: false, outcomeUnknown: true });
    const [stored] = await emulator.client.messages(job.to);
    expect(await provider.lookup(job, AbortSignal.timeout(5_000))).toEqual({ providerMessageId: stored?.id });
  });

  it('settles a send cut off before Postmark accepted it: outbound search does not know it', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'before' });
    expect(classification(await sendError(provider, job))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await provider.lookup(job, AbortSignal.timeout(5_000))).toBeNull();
  });

  it('gives up on a slow answer within its signal, as an unknown outcome', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, delayMs: 2_000 });
    expect(classification(await sendError(provider, job, 300))).toMatchObject({ permanent: false, outcomeUnknown: true });
  });

  it('reports an unreachable API as transient and not sent', async () => {
    const down = new PostmarkProvider({ ...settings, apiUrl: `http://127.0.0.1:${await freePort()}` });
    expect(classification(await sendError(down, emailJob()))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });
});
