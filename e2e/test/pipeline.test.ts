/**
 * The whole pipeline, as a user runs it: POST /v1/North with email and SMS through ingest-api ->
 * Kafka -> kafka-bridge -> BullMQ -> email-worker (SMTP, MailDev) and sms-worker (HTTP, the SMS
 * sink) -> status events -> tracking -> GET /v1/messages/:id. Every component is real and runs
 * as its own process.
 */
import { deliveryIdFor, emailMessageId, type MessageView } from '@herald/contracts';
import { HeraldStack, northRequest, waitFor } from '@herald/testing';

let stack: HeraldStack;

beforeAll(async () => {
  stack = await HeraldStack.start({ name: 'e2e-pipeline' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('POST /v1/North, email and SMS, end to end', () => {
  it('delivers the email to the SMTP server and the SMS to the gateway, and reports both sent with their history', async () => {
    const request = northRequest({ email: { subject: `Welcome ${Date.now()}`, text: 'Hello Ada', html: '<p>Hello Ada</p>' } });
    const answer = await stack.post(request);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      id: expect.any(String),
      status: 'accepted',
      deliveries: [
        { channel: 'email', status: 'accepted' },
        { channel: 'sms', status: 'accepted' },
      ],
    });
    const id = answer.body.id;

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

    const view: MessageView = await stack.waitForMessage(id);
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
    const request = northRequest({ channels: ['sms'], email: undefined, sms: { text: 'Your code is 123456' } });
    const { status, body } = await stack.post({ ...request, to: { phone: request.to.phone } });
    expect(status).toBe(202);
    expect(body.deliveries).toEqual([{ channel: 'sms', status: 'accepted' }]);
    const view = await stack.waitForMessage(body.id);
    expect(view.deliveries.map((d) => [d.channel, d.status])).toEqual([['sms', 'sent']]);
    expect(await stack.maildev.client.emails({ 'to.address': request.to.email ?? '' })).toHaveLength(0);
  }, 60_000);

  it('answers 404 for a message id it never accepted', async () => {
    expect(await stack.message('01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f')).toBeNull();
  });
});
