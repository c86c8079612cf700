/**
 * The SMTP provider against a real SMTP server (MailDev, as a process): the email as sent, its
 * stable Message-ID, the mailbox lookup used for sends in doubt, and an unreachable server.
 */
import { deliveryIdFor, emailMessageId, newMessageId, type EmailJob } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';
import { startMaildev, uniqueRecipient, type Maildev } from '@herald/testing';
import { parseMailbox } from '../src/providers/email-parts';
import { SmtpProvider } from '../src/providers/smtp-provider';

let maildev: Maildev;
let provider: SmtpProvider;
const settings = { from: parseMailbox('Herald <no-reply@herald.test>'), messageIdDomain: 'herald.test', poolSize: 2, timeoutMs: 3_000 };

beforeAll(async () => {
  maildev = await startMaildev('smtp-provider');
  provider = new SmtpProvider({ ...settings, url: maildev.smtpUrl, lookupUrl: maildev.client.webUrl });
}, 30_000);

afterAll(async () => {
  await provider?.close();
  await maildev?.process.stop();
});

function job(): EmailJob {
  const messageId = newMessageId();
  return {
    v: 1,
    messageId,
    deliveryId: deliveryIdFor(messageId, 'email'),
    generation: 0,
    acceptedAt: new Date().toISOString(),
    to: uniqueRecipient().email,
    content: { subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' },
  };
}

describe('SmtpProvider', () => {
  it('sends the email with a stable Message-ID derived from the delivery id', async () => {
    const j = job();
    const receipt = await provider.send(j, AbortSignal.timeout(5_000));
    const messageId = emailMessageId(j.deliveryId, 'herald.test');
    expect(receipt.providerMessageId).toBe(messageId);
    const [email] = await maildev.client.byMessageId(messageId);
    expect(email).toMatchObject({ subject: 'Welcome', to: [{ address: j.to, name: '' }], from: [{ address: 'no-reply@herald.test', name: 'Herald' }] });
    expect(email?.html).toContain('Hello Ada');
    expect(email?.headers['x-herald-delivery-id']).toBe(j.deliveryId);
  });

  it('finds a delivered email by its Message-ID (for a send in doubt), and only that one', async () => {
    const sent = job();
    await provider.send(sent, AbortSignal.timeout(5_000));
    expect(await provider.lookup?.(sent, AbortSignal.timeout(5_000))).toEqual({ providerMessageId: emailMessageId(sent.deliveryId, 'herald.test') });
    expect(await provider.lookup?.(job(), AbortSignal.timeout(5_000))).toBeNull();
  });

  it('reports an unreachable server as transient and not sent', async () => {
    const down = new SmtpProvider({ ...settings, url: 'smtp://127.0.0.1:1' });
    try {
      const error = await down.send(job(), AbortSignal.timeout(5_000)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    } finally {
      await down.close();
    }
  });
});
