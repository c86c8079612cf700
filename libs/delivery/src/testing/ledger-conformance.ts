/**
 * The send ledger's rules, as one suite that every implementation must pass: the SQL ledger in
 * libs/tracking (test/send-ledger.test.ts, against PostgreSQL) and the MemoryLedger used by the
 * delivery flow's unit tests (memory-ledger.spec.ts). A rule added here binds both, so the fake
 * cannot drift from the real thing. Cases use node:assert, so this module needs no test runner.
 */
import assert from 'node:assert/strict';
import type { ClaimRequest, SendLedgerPort } from '../ports';

export interface LedgerHarness {
  ledger: SendLedgerPort;
  /** A delivery the ledger may hold (the SQL ledger needs its delivery row to exist). */
  newDelivery(): Promise<string>;
  /** Makes the current claim's lease run out. */
  expireLease(deliveryId: string): Promise<void>;
  /** Puts a recipient on a client's suppression list. */
  suppress(client: string, channel: 'email' | 'sms', address: string, reason: string): Promise<void>;
}

const req = (deliveryId: string, holder: string, extra: Partial<ClaimRequest> = {}): ClaimRequest => ({ deliveryId, generation: 0, holder, leaseMs: 60_000, provider: 'smtp', ...extra });

export interface ConformanceCase {
  name: string;
  run(h: LedgerHarness): Promise<void>;
}

export const ledgerConformance: readonly ConformanceCase[] = [
  {
    name: 'lets exactly one of many racing workers claim a delivery',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.claim(req(id, `w${i}`))));
      assert.equal(outcomes.filter((o) => o.kind === 'claimed').length, 1);
      assert.equal(outcomes.filter((o) => o.kind === 'held').length, 7);
    },
  },
  {
    name: 'records the provider of a claim and answers already-sent after markSent, with the provider and its id',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      assert.deepEqual(await ledger.claim(req(id, 'w1', { provider: 'ses' })), { kind: 'claimed', attempt: 1, charged: 1, provider: 'ses' });
      await ledger.markSent(id, '<id@x>');
      assert.deepEqual(await ledger.claim(req(id, 'w2')), { kind: 'already-sent', attempt: 1, providerMessageId: '<id@x>', provider: 'ses' });
    },
  },
  {
    name: 'lets the next attempt claim after a release, at any provider, counting attempts',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1', { provider: 'ses' }));
      await ledger.release(id, 'w1', 'ECONNREFUSED: refused');
      assert.deepEqual(await ledger.claim(req(id, 'w2', { provider: 'sendgrid' })), { kind: 'claimed', attempt: 2, charged: 2, provider: 'sendgrid' });
    },
  },
  {
    name: 'counts calls a provider throttled as attempts made but not as attempts spent',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1'));
      await ledger.release(id, 'w1', 'HTTP_429: slow down', { throttled: true });
      await ledger.claim(req(id, 'w2'));
      await ledger.release(id, 'w2', 'HTTP_429: slow down', { throttled: true });
      assert.deepEqual(await ledger.claim(req(id, 'w3')), { kind: 'claimed', attempt: 3, charged: 1, provider: 'smtp' });
    },
  },
  {
    name: 'ignores a release by a worker that no longer holds the claim',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1'));
      await ledger.release(id, 'someone-else', 'ECONNREFUSED: refused');
      assert.equal((await ledger.claim(req(id, 'w2'))).kind, 'held');
    },
  },
  {
    name: 'hands an expired claim over as in doubt, once, naming the provider that held it',
    async run({ ledger, newDelivery, expireLease }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1', { provider: 'ses' }));
      await expireLease(id);
      const [a, b] = await Promise.all([ledger.claim(req(id, 'w2', { provider: 'sendgrid' })), ledger.claim(req(id, 'w3', { provider: 'sendgrid' }))]);
      assert.deepEqual([a.kind, b.kind].sort(), ['held', 'in-doubt']);
      const takeover = a.kind === 'in-doubt' ? a : b;
      assert.deepEqual(takeover, { kind: 'in-doubt', attempt: 2, charged: 2, previousHolder: 'w1', provider: 'ses' });
    },
  },
  {
    name: 'closes a failed delivery until a replay raises its generation',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1'));
      assert.equal(await ledger.markFailed(id, 0, 'SMTP_550: no mailbox'), 1);
      assert.deepEqual(await ledger.claim(req(id, 'w2')), { kind: 'closed', state: 'failed', generation: 0, attempt: 1, error: 'SMTP_550: no mailbox' });
      assert.deepEqual(await ledger.claim(req(id, 'w2', { generation: 1 })), { kind: 'claimed', attempt: 2, charged: 2, provider: 'smtp' });
      assert.equal((await ledger.claim(req(id, 'w3'))).kind, 'closed');
    },
  },
  {
    name: 'never fails a newer generation from an older one',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1', { generation: 2 }));
      assert.equal(await ledger.markFailed(id, 1, 'EXPIRED: old job'), 0);
      assert.equal((await ledger.claim(req(id, 'w2', { generation: 2 }))).kind, 'held');
    },
  },
  {
    name: 'never turns sent into failed',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1'));
      await ledger.markSent(id, 'x');
      assert.equal(await ledger.markFailed(id, 0, 'late failure'), 0);
      assert.equal((await ledger.claim(req(id, 'w2'))).kind, 'already-sent');
    },
  },
  {
    name: 'records a failure for a delivery never claimed (e.g. expired before any attempt)',
    async run({ ledger, newDelivery }) {
      const id = await newDelivery();
      assert.equal(await ledger.markFailed(id, 0, 'EXPIRED: too old'), 0);
      assert.equal((await ledger.claim(req(id, 'w1'))).kind, 'closed');
    },
  },
  {
    name: "refuses to claim for a recipient on the client's suppression list, and only for that client and channel",
    async run({ ledger, newDelivery, suppress }) {
      await suppress('acme', 'email', 'bounced@example.com', 'hard_bounce');
      const id = await newDelivery();
      assert.deepEqual(await ledger.claim(req(id, 'w1', { recipient: { client: 'acme', channel: 'email', address: 'bounced@example.com' } })), { kind: 'suppressed', reason: 'hard_bounce' });
      assert.equal((await ledger.claim(req(id, 'w1', { recipient: { client: 'globex', channel: 'email', address: 'bounced@example.com' } }))).kind, 'claimed');
      const other = await newDelivery();
      assert.equal((await ledger.claim(req(other, 'w1', { recipient: { client: 'acme', channel: 'sms', address: 'bounced@example.com' } }))).kind, 'claimed');
    },
  },
  {
    name: 'honours a suppression for every client (client "*": an opt-out reported without a delivery)',
    async run({ ledger, newDelivery, suppress }) {
      await suppress('*', 'sms', '+447700900999', 'opt_out');
      const id = await newDelivery();
      assert.equal((await ledger.claim(req(id, 'w1', { recipient: { client: 'initech', channel: 'sms', address: '+447700900999' } }))).kind, 'suppressed');
    },
  },
  {
    name: 'still answers already-sent for a delivery sent before its recipient was suppressed',
    async run({ ledger, newDelivery, suppress }) {
      const id = await newDelivery();
      await ledger.claim(req(id, 'w1'));
      await ledger.markSent(id, 'p1');
      await suppress('acme', 'email', 'later@example.com', 'complaint');
      const again = await ledger.claim(req(id, 'w2', { recipient: { client: 'acme', channel: 'email', address: 'later@example.com' } }));
      assert.equal(again.kind, 'already-sent');
    },
  },
];
