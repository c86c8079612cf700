/**
 * The Mailgun provider (mailgun.js) against the Mailgun emulator as a process: the form as Mailgun
 * receives it (h: headers, v: user variables), its documented errors classified, a wrong key and
 * an unknown domain refused, and sends in doubt settled by the Events API (by Message-ID).
 */
import { freePort, startEmulator, type RunningEmulator } from '@herald/testing';
import { MailgunProvider, type MailgunSettings } from '../src/providers/mailgun-provider';
import { classification, emailJob, sendError, sender } from './support/provider-test';

let emulator: RunningEmulator;
let provider: MailgunProvider;
let settings: MailgunSettings;

beforeAll(async () => {
  emulator = await startEmulator('mailgun', { logGroup: 'mailgun-provider', settings: { apiKey: 'key-test', domain: 'mg.acme.test' } });
  settings = { ...sender, apiKey: 'key-test', domain: 'mg.acme.test', apiUrl: emulator.url, timeoutMs: 3_000 };
  provider = new MailgunProvider(settings);
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await emulator?.process.stop();
});

describe('MailgunProvider', () => {
  it('sends the sender, Reply-To, the stable Message-ID, one-click unsubscribe headers and Herald ids as user variables', async () => {
    const job = emailJob();
    const receipt = await provider.send(job, AbortSignal.timeout(5_000));
    expect(receipt.providerMessageId).toBe(`<${job.deliveryId}@herald.test>`);
    const [message] = await emulator.client.messages(job.to);
    expect(message).toMatchObject({ from: 'news@acme.test', subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' });
    expect(message?.extra).toMatchObject({
      fromHeader: 'Acme News <news@acme.test>',
      headers: { 'Message-Id': `<${job.deliveryId}@herald.test>`, 'Reply-To': 'help@acme.test', 'List-Unsubscribe': '<https://acme.test/unsubscribe?u=42>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      variables: { herald_message_id: job.messageId, herald_delivery_id: job.deliveryId },
    });
  });

  it.each([
    ['a 400 (bad parameter) as permanent', { status: 400, code: "'to' parameter is not a valid address" }, { code: 'MAILGUN_400', permanent: true, outcomeUnknown: false }],
    ['a 413 (too large) as permanent', { status: 413 }, { code: 'MAILGUN_413', permanent: true, outcomeUnknown: false }],
    ['a 402 (request failed) as transient', { status: 402 }, { code: 'MAILGUN_402', permanent: false, outcomeUnknown: false }],
    ['a 429 as transient', { status: 429 }, { code: 'MAILGUN_429', permanent: false, outcomeUnknown: false }],
    ['a 500 as transient', { status: 500 }, { code: 'MAILGUN_500', permanent: false, outcomeUnknown: false }],
  ])('classifies %s', async (_name, fault, expected) => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, ...fault });
    expect(classification(await sendError(provider, job))).toEqual(expected);
    expect(await emulator.client.messages(job.to)).toHaveLength(0);
  });

  it('is refused with a wrong API key (401) and for an unknown domain (404), both transient', async () => {
    const wrongKey = new MailgunProvider({ ...settings, apiKey: 'key-not-it' });
    const wrongDomain = new MailgunProvider({ ...settings, domain: 'mg.other.test' });
    expect(classification(await sendError(wrongKey, emailJob()))).toEqual({ code: 'MAILGUN_401', permanent: false, outcomeUnknown: false });
    expect(classification(await sendError(wrongDomain, emailJob()))).toEqual({ code: 'MAILGUN_404', permanent: false, outcomeUnknown: false });
  });

  it('settles a send whose answer was lost after Mailgun accepted it: the Events API finds it by Message-ID', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'after' });
    expect(classification(await sendError(provider, job))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await provider.lookup(job, AbortSignal.timeout(5_000))).toEqual({ providerMessageId: `<${job.deliveryId}@herald.test>` });
  });

  it('settles a send cut off before Mailgun accepted it: the Events API does not know it', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'before' });
    expect(classification(await sendError(provider, job))).toMatchObject({ code: 'ECONNRESET', permanent: false, outcomeUnknown: true });
    expect(await provider.lookup(job, AbortSignal.timeout(5_000))).toBeNull();
  });

  it('gives up on a slow answer within its signal, as an unknown outcome', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, delayMs: 2_000 });
    expect(classification(await sendError(provider, job, 300))).toEqual({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true });
  });

  it('reports an unreachable API as transient and not sent (although mailgun.js reports it as a 400)', async () => {
    const down = new MailgunProvider({ ...settings, apiUrl: `http://127.0.0.1:${await freePort()}` });
    expect(classification(await sendError(down, emailJob()))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });
});
