/**
 * What the provider integration tests share: an email job with every per-message field set, the
 * sender defaults, and a way to run one send and get the classified error back.
 */
import { deliveryIdFor, newMessageId, type EmailJob } from '@herald/contracts';
import { ProviderError, type DeliveryProvider } from '@herald/delivery';
import { uniqueRecipient } from '@herald/testing';
import { parseMailbox, type SenderDefaults } from '../../src/providers/email-parts';

export const sender: SenderDefaults = { from: parseMailbox('Herald <no-reply@herald.test>'), messageIdDomain: 'herald.test' };

/** A job to `to` (a unique address by default) with from, fromName, replyTo and unsubscribeUrl set. */
export function emailJob(to = uniqueRecipient().email, content: Partial<EmailJob['content']> = {}): EmailJob {
  const messageId = newMessageId();
  return {
    v: 1,
    messageId,
    deliveryId: deliveryIdFor(messageId, 'email'),
    generation: 0,
    acceptedAt: new Date().toISOString(),
    to,
    content: {
      subject: 'Welcome',
      text: 'Hello Ada',
      html: '<p>Hello Ada</p>',
      from: 'news@acme.test',
      fromName: 'Acme News',
      replyTo: 'help@acme.test',
      unsubscribeUrl: 'https://acme.test/unsubscribe?u=42',
      ...content,
    },
  };
}

/** A test address whose local part asks the emulator for an outcome (test-recipients.ts): bounce+<unique>@example.com. */
export function taggedRecipient(local: string): string {
  return `${local}+${uniqueRecipient().email.split('@')[0]}@example.com`;
}

/** Sends and returns the ProviderError it failed with (fails the test if it was sent). */
export async function sendError(provider: DeliveryProvider<EmailJob>, job: EmailJob, timeoutMs = 5_000): Promise<ProviderError> {
  const outcome = await provider.send(job, AbortSignal.timeout(timeoutMs)).then(
    (receipt) => new Error(`sent (${receipt.providerMessageId}) although an error was expected`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof ProviderError)) throw outcome;
  return outcome;
}

export const classification = (e: ProviderError) => ({ code: e.code, permanent: e.permanent, outcomeUnknown: e.outcomeUnknown });
