/**
 * Sends one email through an emulator the provider's way (its published API, as the email-worker's
 * adapters do; apps do not import each other) and turns callbacks the ReceiptCatcher caught into
 * ReceiptRequests, exactly as the receipts endpoint hands them to a ReceiptSource.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { deliveryIdFor, newMessageId } from '@herald/contracts';
import type { CaughtRequest } from '@herald/testing';
import type { ReceiptRequest } from '../../src/providers/receipt-source';

export interface SentEmail {
  messageId: string;
  deliveryId: string;
  providerMessageId: string;
}

function ids(): { messageId: string; deliveryId: string } {
  const messageId = newMessageId();
  return { messageId, deliveryId: deliveryIdFor(messageId, 'email') };
}

async function ok(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
  return response;
}

export async function sendViaSendGrid(url: string, apiKey: string, to: string): Promise<SentEmail> {
  const herald = ids();
  const response = await ok(
    await fetch(`${url}/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: to }], custom_args: { herald_message_id: herald.messageId, herald_delivery_id: herald.deliveryId } }],
        from: { email: 'news@acme.test' },
        subject: 'Welcome',
        content: [{ type: 'text/plain', value: 'Hello' }],
      }),
    }),
    'SendGrid mail/send',
  );
  return { ...herald, providerMessageId: response.headers.get('x-message-id') ?? '' };
}

export async function sendViaMailgun(url: string, apiKey: string, domain: string, to: string): Promise<SentEmail> {
  const herald = ids();
  const form = new URLSearchParams({ from: 'news@acme.test', to, subject: 'Welcome', text: 'Hello', 'h:Message-Id': `<${herald.deliveryId}@herald.test>`, 'v:herald_message_id': herald.messageId, 'v:herald_delivery_id': herald.deliveryId });
  const response = await ok(await fetch(`${url}/v3/${domain}/messages`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}` }, body: form }), 'Mailgun messages');
  return { ...herald, providerMessageId: ((await response.json()) as { id: string }).id };
}

export async function sendViaPostmark(url: string, token: string, to: string): Promise<SentEmail> {
  const herald = ids();
  const response = await ok(
    await fetch(`${url}/email`, {
      method: 'POST',
      headers: { 'x-postmark-server-token': token, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ From: 'news@acme.test', To: to, Subject: 'Welcome', TextBody: 'Hello', Metadata: { herald_message_id: herald.messageId, herald_delivery_id: herald.deliveryId }, MessageStream: 'outbound' }),
    }),
    'Postmark email',
  );
  return { ...herald, providerMessageId: ((await response.json()) as { MessageID: string }).MessageID };
}

export async function sendViaSes(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, configurationSet: string, to: string): Promise<SentEmail> {
  const herald = ids();
  const client = new SESv2Client({ region: 'eu-west-1', endpoint: url, credentials, maxAttempts: 1 });
  try {
    const output = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@acme.test',
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: 'Welcome' }, Body: { Text: { Data: 'Hello' } } } },
        EmailTags: [
          { Name: 'herald_message_id', Value: herald.messageId },
          { Name: 'herald_delivery_id', Value: herald.deliveryId },
        ],
        ConfigurationSetName: configurationSet,
      }),
    );
    return { ...herald, providerMessageId: output.MessageId ?? '' };
  } finally {
    client.destroy();
  }
}

/** A caught callback as the receipts endpoint would hand it to a source. */
export function asReceiptRequest(provider: string, caught: CaughtRequest): ReceiptRequest {
  const url = new URL(caught.url, 'https://receipts.example.com');
  return {
    provider,
    url: url.toString(),
    method: caught.method,
    headers: Object.fromEntries(Object.entries(caught.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v])),
    rawBody: caught.rawBody,
    query: Object.fromEntries(url.searchParams),
  };
}

/** The same request with its body changed (a forgery). */
export function tampered(request: ReceiptRequest, from: string, to: string): ReceiptRequest {
  return { ...request, rawBody: Buffer.from(request.rawBody.toString('utf8').replace(from, to)) };
}
