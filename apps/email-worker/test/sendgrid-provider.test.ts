/**
 * The SendGrid provider (@sendgrid/client) against the SendGrid emulator as a process: the v3
 * mail/send body as SendGrid receives it, its documented errors classified (429 with the reset
 * time), a wrong key refused, and sends in doubt (SendGrid has no idempotency key or lookup:
 * IN_DOUBT_POLICY decides).
 */
import { freePort, startEmulator, type RunningEmulator } from '@herald/testing';
import { SendGridProvider, type SendGridSettings } from '../src/providers/sendgrid-provider';
import { classification, emailJob, sendError, sender } from './support/provider-test';

let emulator: RunningEmulator;
let provider: SendGridProvider;
let settings: SendGridSettings;

beforeAll(async () => {
  emulator = await startEmulator('sendgrid', { logGroup: 'sendgrid-provider', settings: { apiKey: 'SG.test-key' } });
  settings = { ...sender, apiKey: 'SG.test-key', apiUrl: emulator.url };
  provider = new SendGridProvider(settings);
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await emulator?.process.stop();
});

describe('SendGridProvider', () => {
  it('sends the sender, reply_to, the stable Message-ID, one-click unsubscribe headers and Herald ids as custom_args', async () => {
    const job = emailJob();
    const receipt = await provider.send(job, AbortSignal.timeout(5_000));
    const [message] = await emulator.client.messages(job.to);
    expect(message).toMatchObject({ id: receipt.providerMessageId, from: 'news@acme.test', subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' });
    expect(message?.extra).toMatchObject({
      fromName: 'Acme News',
      replyTo: 'help@acme.test',
      headers: { 'Message-ID': `<${job.deliveryId}@herald.test>`, 'List-Unsubscribe': '<https://acme.test/unsubscribe?u=42>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      customArgs: { herald_message_id: job.messageId, herald_delivery_id: job.deliveryId },
    });
  });

  it('leaves the unsubscribe headers out when the message has no unsubscribe URL, and sends text only when there is no HTML', async () => {
    const job = emailJob(undefined, { unsubscribeUrl: undefined, html: undefined });
    await provider.send(job, AbortSignal.timeout(5_000));
    const [message] = await emulator.client.messages(job.to);
    expect(message?.html).toBeNull();
    expect(Object.keys(message?.extra['headers'] as object)).not.toContain('List-Unsubscribe');
  });

  it.each([
    ['a 400 (invalid request) as permanent', { status: 400, code: 'Invalid email' }, { code: 'SENDGRID_400', permanent: true, outcomeUnknown: false }],
    ['a 413 (too large) as permanent', { status: 413 }, { code: 'SENDGRID_413', permanent: true, outcomeUnknown: false }],
    ['a 403 (sender identity not verified) as transient', { status: 403 }, { code: 'SENDGRID_403', permanent: false, outcomeUnknown: false }],
    ['a 500 as transient', { status: 500 }, { code: 'SENDGRID_500', permanent: false, outcomeUnknown: false }],
    ['a 503 as transient', { status: 503 }, { code: 'SENDGRID_503', permanent: false, outcomeUnknown: false }],
  ])('classifies %s', async (_name, fault, expected) => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, ...fault });
    expect(classification(await sendError(provider, job))).toEqual(expected);
    expect(await emulator.client.messages(job.to)).toHaveLength(0);
  });

  it('takes a 429 as transient and waits as Retry-After says', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, status: 429, retryAfter: 7 });
    const error = await sendError(provider, job);
    expect(classification(error)).toEqual({ code: 'SENDGRID_429', permanent: false, outcomeUnknown: false });
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('takes a 429 without Retry-After as transient until X-RateLimit-Reset', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, status: 429 });
    const error = await sendError(provider, job);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(2_000);
  });

  it('is refused with a wrong API key (401, transient) and sends nothing', async () => {
    const wrong = new SendGridProvider({ ...settings, apiKey: 'SG.not-it' });
    const job = emailJob();
    expect(classification(await sendError(wrong, job))).toEqual({ code: 'SENDGRID_401', permanent: false, outcomeUnknown: false });
    expect(await emulator.client.messages(job.to)).toHaveLength(0);
  });

  it('reports an answer lost after SendGrid accepted the email as an unknown outcome, with no lookup to settle it', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'after' });
    expect(classification(await sendError(provider, job))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await emulator.client.messages(job.to)).toHaveLength(1);
    expect('lookup' in provider).toBe(false);
  });

  it('gives up on a slow answer within its signal, as an unknown outcome', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, delayMs: 2_000 });
    expect(classification(await sendError(provider, job, 300))).toEqual({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true });
  });

  it('reports an unreachable API as transient and not sent', async () => {
    const down = new SendGridProvider({ ...settings, apiUrl: `http://127.0.0.1:${await freePort()}` });
    expect(classification(await sendError(down, emailJob()))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });
});
