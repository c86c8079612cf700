/**
 * Real providers, end to end, against their emulators (tools/emulators: each provider's published
 * API and signed callbacks): the whole Herald as processes (ingest-api, kafka-bridge, workers,
 * receipts-api) sends through the provider, the provider's signed receipts come back through the
 * receipts-api and south-updates, and GET /v1/messages/{id} shows `delivered`. A hard bounce or a
 * complaint suppresses the address for the client, and the next message to it fails SUPPRESSED
 * with no provider call; an opt-out (STOP) suppresses the number. A forged callback is refused and
 * changes nothing; a receipt that arrives before the send is recorded is not lost; repeated
 * receipts change nothing.
 */
import { HeraldStack, northRequest, uniqueRecipient, waitFor, type EmailProviderName, type EmulatedProvider, type SmsProviderName } from '@herald/testing';
import type { MessageView, NorthRequest } from '@herald/contracts';

jest.setTimeout(120_000);

const FAST = { RETRY_BASE_MS: '200', RETRY_MAX_MS: '1000', LOG_LEVEL: 'warn' };

const email = (to: string): NorthRequest => ({ to: { email: to }, channels: ['email'], email: { subject: 'Welcome', text: 'Hello', unsubscribeUrl: 'https://acme.example/unsubscribe?u=1' } });
const sms = (phone: string): NorthRequest => ({ to: { phone }, channels: ['sms'], sms: { text: 'Your code is 123456' } });

async function send(stack: HeraldStack, body: NorthRequest): Promise<string> {
  const answer = await stack.post(body);
  expect(answer.status).toBe(202);
  return answer.body.id;
}

const statusIs = (status: string) => (m: MessageView) => m.deliveries.length > 0 && m.deliveries.every((d) => d.status === status);

/** A callback that claims to be from the provider but is not signed by it. */
function forgedCallback(provider: EmulatedProvider): { headers: Record<string, string>; body: string } {
  switch (provider) {
    case 'twilio':
      return { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' }, body: 'MessageSid=SMforged&MessageStatus=delivered&AccountSid=AC00000000000000000000000000000000' };
    case 'vonage':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId: 'forged', status: 'delivered', 'api-key': 'a1b2c3d4', timestamp: Math.floor(Date.now() / 1000), sig: '0'.repeat(32) }) };
    case 'sendgrid':
      return {
        headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': 'MEUCIQforged', 'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
        body: JSON.stringify([{ email: 'a@b.co', event: 'delivered', sg_message_id: 'forged', timestamp: Math.floor(Date.now() / 1000) }]),
      };
    case 'mailgun':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature: { timestamp: String(Math.floor(Date.now() / 1000)), token: 'x'.repeat(50), signature: '0'.repeat(64) }, 'event-data': { event: 'delivered', message: { headers: { 'message-id': 'forged' } } } }) };
    case 'postmark':
      return { headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('postmark-hook:wrong').toString('base64')}` }, body: JSON.stringify({ RecordType: 'Delivery', MessageID: 'forged' }) };
    case 'ses':
      return {
        headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
        body: JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:herald-ses-events', Message: '{}', Timestamp: new Date().toISOString(), SignatureVersion: '2', Signature: 'Zm9yZ2Vk', SigningCertURL: 'https://localhost/forged.pem' }),
      };
    case 'sns':
      throw new Error('SNS has no receipts');
  }
}

const pairs: Array<{ email: Exclude<EmailProviderName, 'smtp'>; sms: Exclude<SmsProviderName, 'http'> }> = [
  { email: 'ses', sms: 'twilio' },
  { email: 'sendgrid', sms: 'vonage' },
  { email: 'mailgun', sms: 'sns' },
  { email: 'postmark', sms: 'twilio' },
];

describe.each(pairs)('email through $email, SMS through $sms', (providers) => {
  let stack: HeraldStack;
  beforeAll(async () => {
    stack = await HeraldStack.start({ name: `providers-${providers.email}-${providers.sms}`, sinks: false, providers, env: { 'email-worker': FAST, 'sms-worker': FAST } });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('sends through the provider and shows delivered once the provider reports it', async () => {
    const to = uniqueRecipient();
    const id = await send(stack, { ...northRequest(), to: { email: to.email, phone: '+447700900123' } });
    const smsDelivered = providers.sms === 'sns' ? 'sent' : 'delivered';
    const message = await stack.waitForMessage(id, (m) => m.deliveries.find((d) => d.channel === 'email')?.status === 'delivered' && m.deliveries.find((d) => d.channel === 'sms')?.status === smsDelivered, 60_000);
    expect(message.deliveries.find((d) => d.channel === 'email')).toMatchObject({ provider: providers.email, providerMessageId: expect.any(String), deliveredAt: expect.any(String) });
    expect(message.deliveries.find((d) => d.channel === 'sms')).toMatchObject({ provider: providers.sms });
    const received = await stack.emulator(providers.email).client.messages(to.email);
    expect(received).toHaveLength(1);
  });

  it('suppresses a hard-bounced address for the client: the next message to it fails SUPPRESSED with no provider call', async () => {
    const to = uniqueRecipient().email;
    const emulator = stack.emulator(providers.email).client;
    await emulator.receipts({ outcomes: { [to]: ['bounced'] } });
    const first = await send(stack, email(to));
    const failed = await stack.waitForMessage(first, statusIs('failed'), 60_000);
    expect(failed.deliveries[0]?.lastError).toEqual(expect.any(String));
    const suppressed = await fetch(`${stack.ingestUrl}/v1/suppressions/email/${encodeURIComponent(to)}`, { headers: stack.authHeaders });
    expect(suppressed.status).toBe(200);
    expect(await suppressed.json()).toMatchObject({ address: to.toLowerCase(), reason: 'hard_bounce' });
    const second = await send(stack, email(to));
    const refused = await stack.waitForMessage(second, statusIs('failed'), 60_000);
    expect(refused.history).toContainEqual(expect.objectContaining({ type: 'failed', detail: expect.stringContaining('SUPPRESSED') }));
    expect(await emulator.messages(to)).toHaveLength(1);
  });

  it('keeps a delivered email delivered on a complaint, and suppresses the address', async () => {
    const to = uniqueRecipient().email;
    await stack.emulator(providers.email).client.receipts({ outcomes: { [to]: ['delivered', 'complained'] } });
    const id = await send(stack, email(to));
    await stack.waitForMessage(id, (m) => statusIs('delivered')(m) && m.history.some((h) => h.type === 'complained'), 60_000);
    await waitFor('the complaint to suppress the address', async () => (await fetch(`${stack.ingestUrl}/v1/suppressions/email/${encodeURIComponent(to)}`, { headers: stack.authHeaders })).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
  });

  it('applies a receipt that arrives before the send is recorded, and repeated receipts once', async () => {
    const emulator = stack.emulator(providers.email).client;
    // The receipts go out, and are acknowledged, before the send is answered; the answer then
    // waits a second more, so the bridge has surely handled the receipt before the send exists.
    await emulator.receipts({ beforeResponse: true, answerDelayMs: 1_000, duplicates: 2 });
    try {
      const id = await send(stack, email(uniqueRecipient().email));
      const message = await stack.waitForMessage(id, statusIs('delivered'), 60_000);
      expect(message.history.filter((h) => h.type === 'delivered')).toHaveLength(1);
      // The receipt was stored before the send was recorded (it waited), and stored once.
      const rows = await stack.sql<{ receipts: string; waited: boolean }>(
        `SELECT count(*) AS receipts, bool_and(r.received_at < e.recorded_at) AS waited
         FROM provider_receipts r JOIN delivery_events e ON e.delivery_id = r.delivery_id AND e.type = 'sent'
         WHERE r.delivery_id = $1::uuid AND r.outcome = 'delivered'`,
        [message.deliveries[0]?.id],
      );
      expect(rows[0]).toEqual({ receipts: '1', waited: true });
    } finally {
      await emulator.receipts({ beforeResponse: false, answerDelayMs: 0, duplicates: 0 });
    }
  });

  it('refuses forged callbacks and changes nothing', async () => {
    const id = await send(stack, email(uniqueRecipient().email));
    await stack.waitForMessage(id, statusIs('delivered'), 60_000);
    for (const provider of [providers.email, providers.sms].filter((p) => p !== 'sns')) {
      const forged = forgedCallback(provider);
      const answer = await fetch(`${stack.receiptsUrl}/providers/${provider}/events`, { method: 'POST', headers: forged.headers, body: forged.body });
      expect([400, 401, 403]).toContain(answer.status);
      expect(await answer.text()).not.toMatch(/signature|secret|token/i);
    }
    expect(await fetch(`${stack.receiptsUrl}/providers/nobody/events`, { method: 'POST', body: '{}' }).then((r) => r.status)).toBe(404);
  });

  if (providers.sms === 'twilio') {
    it('suppresses a number that replied STOP, for every client: the next SMS to it fails SUPPRESSED', async () => {
      const phone = `+4477009${String(Date.now()).slice(-5)}`;
      const emulator = stack.emulator('twilio').client;
      await emulator.receipts({ outcomes: { [phone]: ['delivered', 'opted_out'] } });
      const first = await send(stack, sms(phone));
      await stack.waitForMessage(first, statusIs('delivered'), 60_000);
      await waitFor('the STOP to suppress the number', async () => (await fetch(`${stack.ingestUrl}/v1/suppressions/sms/${encodeURIComponent(phone)}`, { headers: stack.authHeaders })).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
      const second = await send(stack, sms(phone));
      await stack.waitForMessage(second, statusIs('failed'), 60_000);
      expect(await emulator.messages(phone)).toHaveLength(1);
    });
  }
});
