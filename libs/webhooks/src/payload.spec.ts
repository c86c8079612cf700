import { deliveryIdFor, makeDeliveryEvent, newMessageId } from '@herald/contracts';
import { createValidator, DeliveryEventPayload } from '@herald/contracts';
import { errorSummary, toDeliveryPayload, wantsEvent } from './payload';
import { deliverySequence } from './sequence';

const validator = createValidator('DeliveryEventPayload', DeliveryEventPayload);

describe('toDeliveryPayload', () => {
  const messageId = newMessageId();
  const deliveryId = deliveryIdFor(messageId, 'sms');

  it('carries the event, its sequence and the message metadata in the Standard Webhooks structure', () => {
    const event = makeDeliveryEvent({ messageId, deliveryId, channel: 'sms', type: 'sent', generation: 1, attempt: 2, at: new Date('2026-12-01T10:00:00Z'), providerMessageId: 'SM123', provider: 'twilio' });
    const payload = toDeliveryPayload(event, { orderId: 'A-1', vip: true });
    expect(validator.errors(payload)).toEqual([]);
    expect(payload).toEqual({
      type: 'delivery.sent',
      timestamp: '2026-12-01T10:00:00.000Z',
      data: {
        schemaVersion: 1,
        eventId: event.eventId,
        messageId,
        deliveryId,
        channel: 'sms',
        eventType: 'sent',
        status: 'sent',
        generation: 1,
        attempt: 2,
        sequence: deliverySequence(1, 2, 'sent'),
        provider: 'twilio',
        providerMessageId: 'SM123',
        error: null,
        retryAt: null,
        at: '2026-12-01T10:00:00.000Z',
        metadata: { orderId: 'A-1', vip: true },
      },
    });
  });

  it("never passes on the provider's error text: a code and Herald's own summary", () => {
    const event = makeDeliveryEvent({
      messageId,
      deliveryId,
      channel: 'email',
      type: 'attempt_failed',
      generation: 0,
      attempt: 1,
      error: { code: 'SMTP_550', message: '550 5.1.1 <ada@example.com>: mailbox unavailable at mx.internal.acme', permanent: false },
      retryAt: new Date('2026-12-01T10:05:00Z'),
    });
    const payload = toDeliveryPayload(event, {});
    expect(payload.data.error).toEqual({ code: 'SMTP_550', summary: 'The mail server refused the message permanently.', permanent: false });
    expect(JSON.stringify(payload)).not.toContain('mailbox unavailable');
    expect(JSON.stringify(payload)).not.toContain('ada@example.com');
    expect(payload.data.status).toBeNull();
    expect(payload.data.retryAt).toBe('2026-12-01T10:05:00.000Z');
  });

  it('has a summary for every code, known or not', () => {
    expect(errorSummary('EXPIRED', true)).toMatch(/maximum age/);
    expect(errorSummary('TWILIO_21610', true)).toMatch(/opted out/);
    expect(errorSummary('HTTP_429', false)).toMatch(/rate/);
    expect(errorSummary('SOMETHING_NEW', true)).toBe('The delivery failed for good.');
    expect(errorSummary('SOMETHING_NEW', false)).toMatch(/retried/);
  });
});

describe('wantsEvent', () => {
  it('sends everything to "*" and only the named types otherwise', () => {
    expect(wantsEvent(['*'], 'queued')).toBe(true);
    expect(wantsEvent(['delivery.sent', 'delivery.failed'], 'failed')).toBe(true);
    expect(wantsEvent(['delivery.sent'], 'sending')).toBe(false);
  });
});
