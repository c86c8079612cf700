/**
 * Provider receipts and the suppression list against a real PostgreSQL database: a receipt moves
 * its delivery to delivered or failed (forward only), is stored once however often it comes, waits
 * when it arrives before its send is recorded, and hard bounces, complaints and opt-outs suppress
 * the recipient for the client that sent the message.
 */
import { deliveryIdFor, makeDeliveryEvent, makeReceiptEvent, newMessageId, type MessageAcceptedEvent, type ReceiptFields } from '@herald/contracts';
import { createLogger } from '@herald/runtime';
import { SuppressionRepository, TrackingService, createDatabase, type Database } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

const adminUrl = process.env['DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';
const template = process.env['DATABASE_TEMPLATE'] || 'herald_test';

let database: TestDatabase;
let db: Database;
let tracking: TrackingService;
let suppressions: SuppressionRepository;

beforeAll(async () => {
  database = await createTestDatabase({ adminUrl, template });
  db = createDatabase({ databaseUrl: database.url, poolSize: 4 });
  tracking = new TrackingService(db, createLogger({ service: 'receipts-test', level: 'silent' }));
  suppressions = new SuppressionRepository(db.prisma);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

async function sentEmail(options: { client?: string; to?: string; provider?: string; providerMessageId?: string; send?: boolean } = {}) {
  const messageId = newMessageId();
  const event: MessageAcceptedEvent = {
    v: 1,
    kind: 'message.accepted',
    messageId,
    acceptedAt: new Date().toISOString(),
    client: options.client ?? 'acme',
    request: { to: { email: options.to ?? 'Ada@Example.com' }, channels: ['email'], email: { subject: 's', text: 't' } },
  };
  await tracking.recordAccepted([event]);
  const deliveryId = deliveryIdFor(messageId, 'email');
  const providerMessageId = options.providerMessageId ?? `ses-${messageId}`;
  const sent = makeDeliveryEvent({ messageId, deliveryId, channel: 'email', type: 'sent', generation: 0, attempt: 1, providerMessageId, provider: options.provider ?? 'ses' });
  if (options.send !== false) await tracking.updateStatus([sent]);
  return { messageId, deliveryId, providerMessageId, sent };
}

const receipt = (providerMessageId: string, fields: Partial<ReceiptFields> = {}) =>
  makeReceiptEvent({ receiptId: `ses:${providerMessageId}:${fields.outcome ?? 'delivered'}`, provider: 'ses', channel: 'email', providerMessageId, outcome: 'delivered', permanent: false, at: new Date().toISOString(), ...fields });

async function delivery(messageId: string) {
  const message = await tracking.getMessage(messageId);
  return { delivery: message?.deliveries[0], history: message?.history ?? [] };
}

describe('provider receipts', () => {
  it('moves a sent delivery to delivered, once however often the receipt comes', async () => {
    const { messageId, providerMessageId } = await sentEmail();
    expect(await tracking.applyReceipts([receipt(providerMessageId)])).toMatchObject({ stored: 1, applied: 1 });
    expect(await tracking.applyReceipts([receipt(providerMessageId), receipt(providerMessageId)])).toMatchObject({ stored: 0, applied: 0 });
    const { delivery: d, history } = await delivery(messageId);
    expect(d).toMatchObject({ status: 'delivered', provider: 'ses', deliveredAt: expect.any(String) });
    expect(history.filter((h) => h.type === 'delivered')).toHaveLength(1);
  });

  it('hands each applied receipt back as the delivery event it stands for until it is marked republished (an outbox), with the history row\'s id', async () => {
    const { messageId, deliveryId, providerMessageId } = await sentEmail();
    const first = await tracking.applyReceipts([receipt(providerMessageId)]);
    expect(first.derived.events).toEqual([expect.objectContaining({ kind: 'delivery.event', type: 'delivered', deliveryId, messageId, provider: 'ses', eventId: `${deliveryId}.0.1.delivered` })]);
    // Not marked yet (e.g. a crash before the publish): the same batch again hands it back again.
    expect((await tracking.applyReceipts([receipt(providerMessageId)])).derived.events).toHaveLength(1);
    await tracking.markRepublished(first.derived.receiptIds);
    expect((await tracking.applyReceipts([receipt(providerMessageId)])).derived.events).toEqual([]);
    // Applying the re-published event to tracking changes nothing: same id as the history row.
    const before = (await delivery(messageId)).history.length;
    await tracking.updateStatus(first.derived.events);
    expect((await delivery(messageId)).history).toHaveLength(before);
  });

  it('keeps a receipt that comes before its send is recorded, and applies it when the send is', async () => {
    const { messageId, providerMessageId, sent } = await sentEmail({ send: false });
    expect(await tracking.applyReceipts([receipt(providerMessageId)])).toMatchObject({ stored: 1, applied: 0, derived: { events: [] } });
    expect((await delivery(messageId)).delivery?.status).toBe('queued');
    const applied = await tracking.updateStatus([sent]);
    expect((await delivery(messageId)).delivery?.status).toBe('delivered');
    expect(applied.derived.events.map((e) => e.type)).toEqual(['delivered']);
  });

  it('never takes a delivery back: a late failure receipt after delivered only adds history', async () => {
    const { messageId, providerMessageId } = await sentEmail();
    await tracking.applyReceipts([receipt(providerMessageId)]);
    await tracking.applyReceipts([receipt(providerMessageId, { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_SOFT', summary: 'the mailbox is full' })]);
    const { delivery: d, history } = await delivery(messageId);
    expect(d?.status).toBe('delivered');
    expect(history.map((h) => h.type)).toEqual(['sent', 'delivered', 'failed']);
  });

  it('fails a delivery on a hard bounce with the safe summary, and suppresses the address for that client only', async () => {
    const { messageId, providerMessageId } = await sentEmail({ client: 'acme', to: 'Gone@Example.com' });
    await tracking.applyReceipts([receipt(providerMessageId, { outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD', summary: 'the address does not exist' })]);
    const { delivery: d } = await delivery(messageId);
    expect(d).toMatchObject({ status: 'failed', lastError: 'the address does not exist' });
    expect(await suppressions.get('acme', 'email', 'gone@example.com')).toMatchObject({ reason: 'hard_bounce', address: 'gone@example.com' });
    expect(await suppressions.get('globex', 'email', 'gone@example.com')).toBeNull();
  });

  it('does not suppress on a soft bounce', async () => {
    const { providerMessageId } = await sentEmail({ to: 'full@example.com' });
    await tracking.applyReceipts([receipt(providerMessageId, { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_SOFT' })]);
    expect(await suppressions.get('acme', 'email', 'full@example.com')).toBeNull();
  });

  it('keeps a delivered delivery delivered on a complaint, notes it, and suppresses the address', async () => {
    const { messageId, providerMessageId } = await sentEmail({ to: 'angry@example.com' });
    await tracking.applyReceipts([receipt(providerMessageId), receipt(providerMessageId, { outcome: 'complained', reasonCode: 'COMPLAINT', summary: 'the recipient marked it as spam' })]);
    const { delivery: d, history } = await delivery(messageId);
    expect(d?.status).toBe('delivered');
    expect(history.map((h) => h.type)).toContain('complained');
    expect(await suppressions.get('acme', 'email', 'angry@example.com')).toMatchObject({ reason: 'complaint' });
  });

  it('suppresses a number for every client on an opt-out reported without a delivery (STOP to a shared sender)', async () => {
    const stop = makeReceiptEvent({ receiptId: `twilio:SM${newMessageId()}:opt-out`, provider: 'twilio', channel: 'sms', providerMessageId: 'SMinbound', outcome: 'opted_out', permanent: true, recipient: '+447700900555', at: new Date().toISOString() });
    expect(await tracking.applyReceipts([stop])).toMatchObject({ stored: 1, applied: 1 });
    for (const client of ['acme', 'globex']) expect(await suppressions.get(client, 'sms', '+447700900555')).toMatchObject({ reason: 'opt_out', everyClient: true });
    expect(await suppressions.remove('acme', 'sms', '+447700900555')).toBe(false);
  });

  it('suppresses the recipient of a send the provider refused because it opted out (e.g. Twilio 21610)', async () => {
    const messageId = newMessageId();
    await tracking.recordAccepted([{ v: 1, kind: 'message.accepted', messageId, acceptedAt: new Date().toISOString(), client: 'acme', request: { to: { phone: '+447700900777' }, channels: ['sms'], sms: { text: 'hi' } } }]);
    const failed = makeDeliveryEvent({ messageId, deliveryId: deliveryIdFor(messageId, 'sms'), channel: 'sms', type: 'failed', generation: 0, attempt: 1, provider: 'twilio', error: { code: 'TWILIO_21610', message: 'the recipient opted out', permanent: true, suppress: 'opt_out' } });
    await tracking.updateStatus([failed]);
    expect(await suppressions.get('acme', 'sms', '+447700900777')).toMatchObject({ reason: 'opt_out', everyClient: false });
  });

  it("does not apply another provider's receipt that happens to carry the same id", async () => {
    const { messageId, providerMessageId } = await sentEmail({ provider: 'ses' });
    const foreign = makeReceiptEvent({ ...receipt(providerMessageId), receiptId: `sendgrid:${providerMessageId}`, provider: 'sendgrid' });
    expect(await tracking.applyReceipts([foreign])).toMatchObject({ stored: 1, applied: 0 });
    expect((await delivery(messageId)).delivery?.status).toBe('sent');
  });
});

describe('the suppression list', () => {
  it('adds, finds (whatever the case of the address), lists by pages and removes entries', async () => {
    const client = `c-${newMessageId()}`;
    for (const address of ['b@example.com', 'A@Example.com', 'c@example.com']) await suppressions.add(client, 'email', address, 'manual', null);
    await suppressions.add(client, 'sms', '+447700900123', 'opt_out', 'STOP');
    expect((await suppressions.add(client, 'email', 'a@example.com', 'manual', null)).created).toBe(false);
    expect(await suppressions.get(client, 'email', 'A@EXAMPLE.COM')).toMatchObject({ address: 'a@example.com', reason: 'manual', source: 'api' });
    const first = await suppressions.list(client, { limit: 2 });
    expect(first.items.map((i) => i.address)).toEqual(['a@example.com', 'b@example.com']);
    const second = await suppressions.list(client, { limit: 2, ...(first.next ? { after: first.next } : {}) });
    expect(second.items.map((i) => `${i.channel}:${i.address}`)).toEqual(['email:c@example.com', 'sms:+447700900123']);
    expect(second.next).toBeNull();
    expect((await suppressions.list(client, { limit: 10, channel: 'sms' })).items).toHaveLength(1);
    expect(await suppressions.remove(client, 'email', 'A@example.com')).toBe(true);
    expect(await suppressions.remove(client, 'email', 'a@example.com')).toBe(false);
    expect(await suppressions.get(client, 'email', 'a@example.com')).toBeNull();
  });
});
