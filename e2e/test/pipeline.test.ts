/**
 * The whole pipeline, as a user runs it: POST /v1/North with email and SMS through ingest-api ->
 * Kafka -> kafka-bridge -> BullMQ -> email-worker (SMTP, MailDev) and sms-worker (HTTP, the SMS
 * sink) -> status events -> tracking -> GET /v1/messages/:id. Every component is real and runs
 * as its own process. The test is an API consumer: it sends and reads through @herald/client,
 * the client generated from the OpenAPI document.
 */
import { HeraldApiError, createHeraldClient, type HeraldClient, type MessageView, type NorthRequest } from '@herald/client';
import { deliveryIdFor, emailMessageId } from '@herald/contracts';
import { HeraldStack, northRequest, waitFor } from '@herald/testing';

let stack: HeraldStack;
let herald: HeraldClient;

beforeAll(async () => {
  stack = await HeraldStack.start({ name: 'e2e-pipeline' });
  herald = createHeraldClient({ baseUrl: stack.ingestUrl, apiKey: stack.apiKey });
}, 120_000);

/** Reads the message through the client until every delivery is sent. */
const sentView = (id: string): Promise<MessageView> =>
  waitFor(`message ${id} to be sent on every channel`, async () => {
    const view = await herald.findMessage(id);
    return view && view.deliveries.length > 0 && view.deliveries.every((d) => d.status === 'sent') ? view : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('POST /v1/North, email and SMS, end to end', () => {
  it('delivers the email to the SMTP server and the SMS to the gateway, and reports both sent with their history', async () => {
    const request = northRequest({ email: { subject: `Welcome ${Date.now()}`, text: 'Hello Ada', html: '<p>Hello Ada</p>' } });
    const sent = await herald.sendMessage(request as NorthRequest);
    expect(sent).toEqual({
      id: expect.any(String),
      status: 'accepted',
      deliveries: [
        { channel: 'email', status: 'accepted' },
        { channel: 'sms', status: 'accepted' },
      ],
      idempotencyKey: expect.any(String),
      replayed: false,
      location: `/v1/messages/${sent.id}`,
    });
    const id = sent.id;

    const emailDelivery = deliveryIdFor(id, 'email');
    const smsDelivery = deliveryIdFor(id, 'sms');
    const messageId = emailMessageId(emailDelivery, 'herald.local');

    const [email] = await waitFor('the email at MailDev', async () => {
      const found = await stack.maildev.client.byMessageId(messageId);
      return found.length ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(email?.to).toEqual([{ address: request.to.email, name: '' }]);
    expect(email?.subject).toBe(request.email?.subject);
    expect(email?.text?.trim()).toBe('Hello Ada');
    expect(email?.headers['x-herald-message-id']).toBe(id);

    const [sms] = await waitFor('the SMS at the sink', async () => {
      const found = await stack.sms.client.messages({ reference: smsDelivery });
      return found.length ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(sms).toMatchObject({ to: request.to.phone, text: 'Hello Ada', idempotencyKey: `${smsDelivery}.0` });

    const view = await sentView(id);
    expect(view).toMatchObject({ id, channels: ['email', 'sms'], to: request.to, metadata: {} });
    expect(view.deliveries).toEqual([
      expect.objectContaining({ id: emailDelivery, channel: 'email', status: 'sent', attempts: 1, providerMessageId: messageId, lastError: null, sentAt: expect.any(String), queuedAt: expect.any(String) }),
      expect.objectContaining({ id: smsDelivery, channel: 'sms', status: 'sent', attempts: 1, providerMessageId: sms?.id ?? 'missing', lastError: null }),
    ]);
    for (const delivery of [emailDelivery, smsDelivery]) {
      expect(view.history.filter((h) => h.deliveryId === delivery).map((h) => h.type)).toEqual(['queued', 'sent']);
    }
    // Exactly once at each sink.
    expect(await stack.maildev.client.byMessageId(messageId)).toHaveLength(1);
    expect(await stack.sms.client.messages({ reference: smsDelivery })).toHaveLength(1);
  }, 60_000);

  it('delivers a single-channel message on that channel only', async () => {
    const request = northRequest();
    const sent = await herald.sendMessage({ to: { phone: request.to.phone ?? '' }, channels: ['sms'], sms: { text: 'Your code is 123456' } });
    expect(sent.deliveries).toEqual([{ channel: 'sms', status: 'accepted' }]);
    const view = await sentView(sent.id);
    expect(view.deliveries.map((d) => [d.channel, d.status])).toEqual([['sms', 'sent']]);
    expect(await stack.maildev.client.emails({ 'to.address': request.to.email ?? '' })).toHaveLength(0);
  }, 60_000);

  it('answers the same message, sending nothing new, when a send is repeated with its Idempotency-Key', async () => {
    const request = northRequest({ channels: ['email'], sms: undefined });
    const message: NorthRequest = { to: { email: request.to.email ?? '' }, channels: ['email'], email: { subject: `Once ${Date.now()}`, text: 'Only once' } };
    const first = await herald.sendMessage(message);
    const again = await herald.sendMessage(message, { idempotencyKey: first.idempotencyKey });
    expect(again).toMatchObject({ id: first.id, replayed: true, idempotencyKey: first.idempotencyKey });
    await sentView(first.id);
    expect(await stack.maildev.client.byMessageId(emailMessageId(deliveryIdFor(first.id, 'email'), 'herald.local'))).toHaveLength(1);
  }, 60_000);

  it('answers 404 for a message id it never accepted, and refuses an invalid message with a typed error naming the field', async () => {
    expect(await herald.findMessage('01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f')).toBeUndefined();
    const refused = await herald.sendMessage({ to: { email: 'not-an-address' }, channels: ['email'], email: { subject: 'Hi', text: 'x' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HeraldApiError);
    expect(refused).toMatchObject({ status: 400, code: 'HERALD_ERR_VALIDATION', fields: [{ field: '/to/email', message: 'must be a valid email address' }] });
  });
});
