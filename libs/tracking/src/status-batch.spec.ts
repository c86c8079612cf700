import { deliveryEventId, deliveryIdFor, newMessageId, type DeliveryEvent, type DeliveryEventType } from '@herald/contracts';
import { collapseEvents } from './status-batch';

const messageId = newMessageId();
const deliveryId = deliveryIdFor(messageId, 'email');

function event(type: DeliveryEventType, at: string, extra: Partial<DeliveryEvent> = {}): DeliveryEvent {
  const attempt = extra.attempt ?? 1;
  return {
    v: 1,
    kind: 'delivery.event',
    eventId: deliveryEventId(deliveryId, 0, attempt, type),
    messageId,
    deliveryId,
    channel: 'email',
    type,
    generation: 0,
    attempt,
    at,
    ...extra,
  };
}

describe('collapseEvents', () => {
  it('keeps the highest status whatever the order of arrival', () => {
    const events = [
      event('sent', '2026-01-01T00:00:03.000Z', { providerMessageId: '<x@y>' }),
      event('queued', '2026-01-01T00:00:01.000Z', { attempt: 0 }),
      event('sending', '2026-01-01T00:00:02.000Z'),
    ];
    const [u] = collapseEvents(events);
    expect(u).toMatchObject({ status: 'sent', rank: 3, attempts: 1, providerMessageId: '<x@y>', queuedAt: '2026-01-01T00:00:01.000Z', sentAt: '2026-01-01T00:00:03.000Z' });
    expect(collapseEvents([...events].reverse())).toEqual(collapseEvents(events));
  });

  it('records retries: the highest attempt and the latest error, without moving the status', () => {
    const [u] = collapseEvents([
      event('sending', '2026-01-01T00:00:01.000Z', { attempt: 1 }),
      event('attempt_failed', '2026-01-01T00:00:02.000Z', { attempt: 1, error: { code: 'ECONNREFUSED', message: 'refused', permanent: false } }),
      event('sending', '2026-01-01T00:00:05.000Z', { attempt: 2 }),
      event('attempt_failed', '2026-01-01T00:00:06.000Z', { attempt: 2, error: { code: 'SMTP_421', message: 'try later', permanent: false } }),
    ]);
    expect(u).toMatchObject({ status: 'sending', attempts: 2, lastErrorCode: 'SMTP_421', lastError: 'try later' });
  });

  it('keeps generations apart', () => {
    const updates = collapseEvents([event('failed', '2026-01-01T00:00:01.000Z'), event('queued', '2026-01-01T00:00:02.000Z', { generation: 1 })]);
    expect(updates.map((u) => [u.generation, u.status])).toEqual([
      [0, 'failed'],
      [1, 'queued'],
    ]);
  });

  it('reports an attempt-only batch with no status', () => {
    const [u] = collapseEvents([event('attempt_failed', '2026-01-01T00:00:02.000Z', { error: { code: 'E', message: 'm', permanent: false } })]);
    expect(u?.status).toBeNull();
    expect(u?.attempts).toBe(1);
  });
});
