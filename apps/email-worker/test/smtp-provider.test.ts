/**
 * The SMTP provider against a real SMTP server (MailDev, as a process): the email as sent, its
 * stable Message-ID, the mailbox lookup used for sends in doubt, and an unreachable server.
 */
import { createServer, type Socket } from 'node:net';
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

  it('hands nodemailer no more sends than it has connections: one that times out while waiting was never started', async () => {
    // A server that accepts connections and never greets (hung, or a firewall that holds them).
    const sockets: Socket[] = [];
    const hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const port = (hung.address() as { port: number }).port;
    const single = new SmtpProvider({ ...settings, poolSize: 1, timeoutMs: 10_000, url: `smtp://127.0.0.1:${port}` });
    try {
      const attempt = (timeoutMs: number) => single.send(job(), AbortSignal.timeout(timeoutMs)).then(() => undefined, (e: unknown) => e);
      // The first holds the only connection for 2 s; the second gives up after 300 ms of waiting.
      const [first, second] = await Promise.all([attempt(2_000), attempt(300)]);
      // The first was handed over (a connection was opened for it): its outcome is unknown.
      expect(first).toMatchObject({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true });
      // The second waited for the only connection and was never handed to nodemailer, so it cannot
      // go out later behind Herald's back: definitely not sent.
      expect(second).toBeInstanceOf(ProviderError);
      expect(second).toMatchObject({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: false });
      expect(sockets).toHaveLength(1);
    } finally {
      await single.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});
