/**
 * The SES provider (SESv2 SDK) against the SES emulator as a process (aws-ses-v2-local behind
 * SigV4, faults and SNS events): the request as SES receives it, SES' documented errors
 * classified, credentials refused, and sends in doubt (SES has no lookup: IN_DOUBT_POLICY decides).
 */
import { freePort, startEmulator, type RunningEmulator } from '@herald/testing';
import { SesProvider, type SesSettings } from '../src/providers/ses-provider';
import { classification, emailJob, sendError, sender } from './support/provider-test';

let emulator: RunningEmulator;
let provider: SesProvider;
let settings: SesSettings;

beforeAll(async () => {
  emulator = await startEmulator('ses', { logGroup: 'ses-provider', settings: { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret', configurationSet: 'herald-events' } });
  settings = { ...sender, region: 'eu-west-1', endpoint: emulator.url, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret' }, configurationSet: 'herald-events', timeoutMs: 3_000 };
  provider = new SesProvider(settings);
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await emulator?.process.stop();
});

describe('SesProvider', () => {
  it('sends the sender, Reply-To, one-click unsubscribe headers, the configuration set and Herald ids as tags', async () => {
    const job = emailJob();
    const receipt = await provider.send(job, AbortSignal.timeout(5_000));
    const [message] = await emulator.client.messages(job.to);
    expect(message).toMatchObject({ id: receipt.providerMessageId, from: 'news@acme.test', subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' });
    expect(message?.extra).toMatchObject({
      fromHeader: 'Acme News <news@acme.test>',
      replyTo: 'help@acme.test',
      configurationSet: 'herald-events',
      tags: { herald_message_id: [job.messageId], herald_delivery_id: [job.deliveryId] },
    });
    expect(message?.extra['headers']).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe', value: '<https://acme.test/unsubscribe?u=42>' },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
        { name: 'X-Herald-Delivery-Id', value: job.deliveryId },
      ]),
    );
  });

  it('uses EMAIL_FROM when the message names no sender, and encodes a non-ASCII display name', async () => {
    const job = emailJob(undefined, { from: undefined, fromName: 'Zoë' });
    await provider.send(job, AbortSignal.timeout(5_000));
    const [message] = await emulator.client.messages(job.to);
    expect(message?.extra['fromHeader']).toBe(`=?UTF-8?B?${Buffer.from('Zoë').toString('base64')}?= <no-reply@herald.test>`);
  });

  it.each([
    ['MessageRejected as permanent', { status: 400, code: 'MessageRejected' }, { code: 'SES_MessageRejected', permanent: true, outcomeUnknown: false }],
    ['BadRequestException as permanent', { status: 400, code: 'BadRequestException' }, { code: 'SES_BadRequestException', permanent: true, outcomeUnknown: false }],
    ['TooManyRequestsException as transient', { status: 429, code: 'TooManyRequestsException' }, { code: 'SES_TooManyRequestsException', permanent: false, outcomeUnknown: false }],
    ['SendingPausedException as transient', { status: 400, code: 'SendingPausedException' }, { code: 'SES_SendingPausedException', permanent: false, outcomeUnknown: false }],
    ['MailFromDomainNotVerifiedException as transient', { status: 400, code: 'MailFromDomainNotVerifiedException' }, { code: 'SES_MailFromDomainNotVerifiedException', permanent: false, outcomeUnknown: false }],
    ['InternalFailure as transient', { status: 500, code: 'InternalFailure' }, { code: 'SES_InternalFailure', permanent: false, outcomeUnknown: false }],
  ])('classifies %s', async (_name, fault, expected) => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, ...fault });
    expect(classification(await sendError(provider, job))).toEqual(expected);
    expect(await emulator.client.messages(job.to)).toHaveLength(0);
  });

  it('is refused with a wrong secret key (InvalidSignatureException) or an unknown access key, as transient', async () => {
    const wrongSecret = new SesProvider({ ...settings, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'not-it' } });
    const unknownKey = new SesProvider({ ...settings, credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'test-secret' } });
    try {
      expect(classification(await sendError(wrongSecret, emailJob()))).toEqual({ code: 'SES_InvalidSignatureException', permanent: false, outcomeUnknown: false });
      expect(classification(await sendError(unknownKey, emailJob()))).toEqual({ code: 'SES_UnrecognizedClientException', permanent: false, outcomeUnknown: false });
    } finally {
      await wrongSecret.close();
      await unknownKey.close();
    }
  });

  it('refuses a configuration set SES does not have (NotFoundException, transient: a configuration fix)', async () => {
    const other = new SesProvider({ ...settings, configurationSet: 'missing-set' });
    try {
      expect(classification(await sendError(other, emailJob()))).toEqual({ code: 'SES_NotFoundException', permanent: false, outcomeUnknown: false });
    } finally {
      await other.close();
    }
  });

  it('reports an answer lost after SES accepted the email as an unknown outcome, with no lookup to settle it', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, drop: 'after' });
    expect(classification(await sendError(provider, job))).toMatchObject({ permanent: false, outcomeUnknown: true });
    expect(await emulator.client.messages(job.to)).toHaveLength(1);
    expect('lookup' in provider).toBe(false);
    expect(provider.idempotent).toBe(false);
  });

  it('gives up on a slow answer within its signal, as an unknown outcome', async () => {
    const job = emailJob();
    await emulator.client.fail({ to: job.to, delayMs: 2_000 });
    expect(classification(await sendError(provider, job, 300))).toMatchObject({ permanent: false, outcomeUnknown: true });
  });

  it('reports an unreachable endpoint as transient and not sent', async () => {
    const down = new SesProvider({ ...settings, endpoint: `http://127.0.0.1:${await freePort()}` });
    try {
      expect(classification(await sendError(down, emailJob()))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    } finally {
      await down.close();
    }
  });
});
