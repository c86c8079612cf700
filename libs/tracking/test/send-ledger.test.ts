/**
 * The SQL send ledger against a real PostgreSQL database passes the ledger conformance suite
 * (libs/delivery/src/testing/ledger-conformance.ts), the same one the in-memory ledger of the
 * delivery flow's unit tests passes.
 */
import { deliveryIdFor, newMessageId } from '@herald/contracts';
import { ledgerConformance } from '@herald/delivery/testing';
import { createLogger } from '@herald/runtime';
import { SendLedger, TrackingService, createDatabase, type Database } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

// libs/testing builds on this library, so this test does not use it: the same defaults, read here.
const adminUrl = process.env['DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';
const template = process.env['DATABASE_TEMPLATE'] || 'herald_test';

let database: TestDatabase;
let db: Database;
let tracking: TrackingService;
let ledger: SendLedger;

beforeAll(async () => {
  database = await createTestDatabase({ adminUrl, template });
  db = createDatabase({ databaseUrl: database.url, poolSize: 4 });
  tracking = new TrackingService(db, createLogger({ service: 'ledger-test', level: 'silent' }));
  ledger = new SendLedger(db.sql);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe('SendLedger passes the send ledger conformance suite', () => {
  it.each(ledgerConformance.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.run({
      ledger,
      newDelivery: async () => {
        const messageId = newMessageId();
        await tracking.recordAccepted([
          { v: 1, kind: 'message.accepted', messageId, acceptedAt: new Date().toISOString(), client: 'acme', request: { to: { email: 'a@b.co' }, channels: ['email'], email: { subject: 's', text: 't' } } },
        ]);
        return deliveryIdFor(messageId, 'email');
      },
      expireLease: async (id) => {
        await db.sql.query(`UPDATE send_ledger SET lease_until = now() - interval '1 second' WHERE delivery_id = $1::uuid`, [id]);
      },
      suppress: async (client, channel, address, reason) => {
        await db.sql.query(`INSERT INTO suppressions (client, channel, address, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [client, channel, address, reason]);
      },
    });
  });
});

describe('what the API shows while a worker holds the claim', () => {
  it('shows a queued delivery as sending while its claim is held, and as sent once marked', async () => {
    const messageId = newMessageId();
    await tracking.recordAccepted([
      { v: 1, kind: 'message.accepted', messageId, acceptedAt: new Date().toISOString(), client: 'acme', request: { to: { email: 'a@b.co' }, channels: ['email'], email: { subject: 's', text: 't' } } },
    ]);
    const deliveryId = deliveryIdFor(messageId, 'email');
    expect((await tracking.getMessage(messageId))?.deliveries[0]?.status).toBe('queued');
    await ledger.claim({ deliveryId, generation: 0, holder: 'w1', leaseMs: 60_000, provider: 'smtp' });
    expect((await tracking.getMessage(messageId))?.deliveries[0]?.status).toBe('sending');
    await ledger.release(deliveryId, 'w1', 'ECONNREFUSED: refused');
    expect((await tracking.getMessage(messageId))?.deliveries[0]?.status).toBe('queued');
  });
});
