/**
 * TrackingService and SendLedger against a real PostgreSQL database (cloned from the migrated
 * template): idempotent recording, forward-only statuses under late, repeated and reordered
 * events. The send ledger has its own test (send-ledger.test.ts).
 */
import { deliveryIdFor, makeDeliveryEvent, newMessageId, type DeliveryEvent, type MessageAcceptedEvent } from '@herald/contracts';
import { createLogger } from '@herald/runtime';
import { TrackingService, createDatabase, isPermanentDataError, type PrismaClient } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

// libs/testing builds on this library, so this test does not use it: the same defaults, read here.
const adminUrl = process.env['DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';
const template = process.env['DATABASE_TEMPLATE'] || 'herald_test';

let database: TestDatabase;
let prisma: PrismaClient;
let tracking: TrackingService;

beforeAll(async () => {
  database = await createTestDatabase({ adminUrl, template });
  const db = createDatabase({ databaseUrl: database.url, poolSize: 4 });
  prisma = db.prisma;
  tracking = new TrackingService(db, createLogger({ service: 'tracking-test', level: 'silent' }));
});

afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

function accepted(): MessageAcceptedEvent {
  return {
    v: 1,
    kind: 'message.accepted',
    messageId: newMessageId(),
    acceptedAt: new Date().toISOString(),
    client: 'default',
    request: {
      to: { email: 'ada@example.com', phone: '+447700900123' },
      channels: ['email', 'sms'],
      email: { subject: 'Welcome', text: 'Hello Ada' },
      sms: { text: 'Hello Ada' },
      metadata: { order: 42 },
    },
  };
}

async function recorded(): Promise<{ messageId: string; email: string; sms: string }> {
  const event = accepted();
  await tracking.recordAccepted([event]);
  return { messageId: event.messageId, email: deliveryIdFor(event.messageId, 'email'), sms: deliveryIdFor(event.messageId, 'sms') };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
function ev(messageId: string, deliveryId: string, type: DeliveryEvent['type'], second: number, extra: Partial<Parameters<typeof makeDeliveryEvent>[0]> = {}) {
  return makeDeliveryEvent({ messageId, deliveryId, channel: 'email', type, generation: 0, attempt: type === 'queued' ? 0 : 1, at: at(second), ...extra });
}

describe('TrackingService', () => {
  it('records a message and one queued delivery per channel, once however often it is recorded', async () => {
    const event = accepted();
    await tracking.recordAccepted([event]);
    await tracking.recordAccepted([event, event]);
    const view = await tracking.getMessage(event.messageId);
    expect(view).toMatchObject({ id: event.messageId, channels: ['email', 'sms'], to: event.request.to, metadata: { order: 42 } });
    expect(view?.deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['email', 'queued', 0],
      ['sms', 'queued', 0],
    ]);
    expect(await prisma.delivery.count({ where: { messageId: event.messageId } })).toBe(2);
  });

  it('records a batch with its content, idempotency key and single-channel messages as given', async () => {
    const both = { ...accepted(), idempotencyKey: 'order-42' };
    const smsOnly = accepted();
    smsOnly.request = { to: { phone: '+447700900123' }, channels: ['sms'], sms: { text: 'Hé 👋 "quoted" \\ back' }, metadata: {} };
    await tracking.recordAccepted([both, smsOnly]);
    const row = await prisma.message.findUnique({ where: { id: both.messageId } });
    expect(row).toMatchObject({ client: 'default', idempotencyKey: 'order-42', channels: ['email', 'sms'], acceptedAt: new Date(both.acceptedAt) });
    expect(row?.content).toEqual({ email: both.request.email, sms: both.request.sms });
    const view = await tracking.getMessage(smsOnly.messageId);
    expect(view).toMatchObject({ channels: ['sms'], to: { phone: '+447700900123' }, metadata: {} });
    expect(view?.deliveries.map((d) => [d.channel, d.status, d.createdAt])).toEqual([['sms', 'queued', smsOnly.acceptedAt]]);
    expect((await prisma.message.findUnique({ where: { id: smsOnly.messageId } }))?.content).toEqual({ sms: { text: 'Hé 👋 "quoted" \\ back' } });
  });

  it('fails a batch the database refuses for its data with an error the bridge treats as permanent', async () => {
    const bad = accepted();
    bad.request.metadata = { note: 'nul \u0000 byte' };
    const error = await tracking.recordAccepted([accepted(), bad]).then(() => null, (e: unknown) => e);
    expect(isPermanentDataError(error)).toBe(true);
  });

  it('moves statuses forward and keeps every event once in history', async () => {
    const { messageId, email } = await recorded();
    const events = [ev(messageId, email, 'queued', 1), ev(messageId, email, 'sending', 2), ev(messageId, email, 'sent', 3, { providerMessageId: '<p@x>' })];
    await tracking.updateStatus(events);
    await tracking.updateStatus(events);
    const view = await tracking.getMessage(messageId);
    expect(view?.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: '<p@x>', queuedAt: expect.any(String), sentAt: at(3).toISOString() });
    expect(view?.history.map((h) => h.type)).toEqual(['queued', 'sending', 'sent']);
  });

  it('never takes a delivery back: late and repeated events leave it where it is', async () => {
    const { messageId, email } = await recorded();
    await tracking.updateStatus([ev(messageId, email, 'sent', 3)]);
    await tracking.updateStatus([ev(messageId, email, 'sending', 2), ev(messageId, email, 'queued', 1)]);
    const view = await tracking.getMessage(messageId);
    expect(view?.deliveries[0]?.status).toBe('sent');
    expect(view?.history.map((h) => h.type)).toEqual(['queued', 'sending', 'sent']);
  });

  it('keeps failed terminal, with the reason, and records retried attempts in history', async () => {
    const { messageId, email } = await recorded();
    await tracking.updateStatus([
      ev(messageId, email, 'queued', 1),
      ev(messageId, email, 'sending', 2, { attempt: 1 }),
      ev(messageId, email, 'attempt_failed', 3, { attempt: 1, error: { code: 'ECONNREFUSED', message: 'refused', permanent: false }, retryAt: at(5) }),
      ev(messageId, email, 'sending', 5, { attempt: 2 }),
      ev(messageId, email, 'failed', 6, { attempt: 2, error: { code: 'SMTP_550', message: 'no such mailbox', permanent: true } }),
    ]);
    await tracking.updateStatus([ev(messageId, email, 'sent', 7, { attempt: 2 })]);
    const view = await tracking.getMessage(messageId);
    expect(view?.deliveries[0]).toMatchObject({ status: 'failed', attempts: 2, lastError: 'no such mailbox', failedAt: at(6).toISOString() });
    expect(view?.history.find((h) => h.type === 'attempt_failed')?.detail).toBe(`ECONNREFUSED: refused (retry at ${at(5).toISOString()})`);
  });

  it('applies events to the right delivery of a message and skips unknown deliveries', async () => {
    const { messageId, email, sms } = await recorded();
    const unknownDelivery = deliveryIdFor(newMessageId(), 'sms');
    const result = await tracking.updateStatus([ev(messageId, sms, 'sent', 2, { channel: 'sms' }), ev(newMessageId(), unknownDelivery, 'sent', 2, { channel: 'sms' })]);
    expect(result).toMatchObject({ updated: 1, skipped: 1 });
    const view = await tracking.getMessage(messageId);
    expect(view?.deliveries.find((d) => d.id === sms)?.status).toBe('sent');
    expect(view?.deliveries.find((d) => d.id === email)?.status).toBe('queued');
  });

  it('ignores events of another generation', async () => {
    const { messageId, email } = await recorded();
    await tracking.updateStatus([ev(messageId, email, 'sent', 2, { generation: 1 })]);
    expect((await tracking.getMessage(messageId))?.deliveries[0]?.status).toBe('queued');
  });

  it('returns null for an unknown message', async () => {
    expect(await tracking.getMessage(newMessageId())).toBeNull();
  });
});
