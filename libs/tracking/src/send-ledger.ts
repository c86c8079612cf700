/**
 * The send ledger: one row per delivery that a worker claims before it calls the provider and
 * marks after. It is what keeps a stalled or re-delivered job from sending twice.
 *
 * A claim carries a lease (database time, so worker clocks do not matter). The lease is longer
 * than any single provider call may last (workers abort calls at their timeout), so while it runs
 * nobody else may send; once it has run out without an outcome, the holder is gone and the send
 * is "in doubt": it may or may not have reached the provider. The caller then asks the provider
 * (where it can answer) before sending again.
 *
 * States: claimed (a send is under way) -> sent | released (definitely not sent, may retry)
 *         | failed (permanently, for this generation; a replay's newer generation may claim again).
 */
import type { ClaimOutcome, ClaimRequest, SendLedgerPort } from '@herald/delivery';
import type { SqlRunner } from './prisma';

export type { ClaimOutcome } from '@herald/delivery';

interface LedgerRow {
  state: string;
  generation: number;
  attempt: number;
  holder: string | null;
  lease_until: Date | null;
  claimed_at: Date | null;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  expired: boolean;
}

export class SendLedger implements SendLedgerPort {
  /** `sql`: the process's pool (Database.sql); these statements run once or twice per delivery. */
  constructor(private readonly sql: SqlRunner) {}

  /**
   * Claims the right to send `deliveryId` at `generation` through `provider` for `leaseMs`, unless
   * the recipient is on the client's suppression list (checked in the same statement). Atomic: of
   * two workers racing, one gets 'claimed' and the other 'held'.
   */
  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { deliveryId, generation, holder, leaseMs, provider, recipient } = request;
    const claimed = await this.sql.query<{ attempt: number | null; throttled: number | null; suppressed: string | null }>(
      `WITH suppressed AS (
         SELECT reason FROM suppressions WHERE client IN ($5, '*') AND channel = $6 AND address = $7
       ), claimed AS (
         INSERT INTO send_ledger (delivery_id, generation, state, attempt, holder, lease_until, claimed_at, updated_at, provider)
         SELECT $1::uuid, $2::int, 'claimed', 1, $3, now() + $4::int * interval '1 millisecond', now(), now(), $8
         WHERE NOT EXISTS (SELECT 1 FROM suppressed)
         ON CONFLICT (delivery_id) DO UPDATE SET
           generation = EXCLUDED.generation,
           state = 'claimed',
           attempt = send_ledger.attempt + 1,
           holder = EXCLUDED.holder,
           lease_until = EXCLUDED.lease_until,
           claimed_at = now(),
           updated_at = now(),
           provider = EXCLUDED.provider,
           error = NULL
         WHERE (send_ledger.state = 'released' AND send_ledger.generation = EXCLUDED.generation)
            OR (send_ledger.state IN ('released', 'failed') AND send_ledger.generation < EXCLUDED.generation)
         RETURNING attempt, throttled
       )
       SELECT (SELECT attempt FROM claimed) AS attempt, (SELECT throttled FROM claimed) AS throttled, (SELECT reason FROM suppressed LIMIT 1) AS suppressed`,
      [deliveryId, generation, holder, leaseMs, recipient?.client ?? null, recipient?.channel ?? null, recipient?.address ?? null, provider],
    );
    const answer = claimed.rows[0];
    if (answer?.attempt != null) return { kind: 'claimed', attempt: answer.attempt, charged: answer.attempt - (answer.throttled ?? 0), provider };

    const {
      rows: [row],
    } = await this.sql.query<LedgerRow>(
      `SELECT state, generation, attempt, holder, lease_until, claimed_at, provider, provider_message_id, error,
              (lease_until IS NULL OR lease_until < now()) AS expired
       FROM send_ledger WHERE delivery_id = $1::uuid`,
      [deliveryId],
    );
    if (row?.state === 'sent') return { kind: 'already-sent', attempt: row.attempt, providerMessageId: row.provider_message_id, provider: row.provider };
    if (answer?.suppressed != null) return { kind: 'suppressed', reason: answer.suppressed };
    if (!row) throw new Error(`send ledger: no row for ${deliveryId} after a refused claim`);
    if (row.generation > generation || row.state === 'failed') {
      return { kind: 'closed', state: row.state, generation: row.generation, attempt: row.attempt, error: row.error };
    }
    if (row.state === 'claimed' && !row.expired) {
      return { kind: 'held', holder: row.holder, leaseUntil: row.lease_until ?? new Date() };
    }
    // An expired claim: take it over (at the provider that held it), unless someone else just did.
    const taken = await this.sql.query<{ attempt: number; throttled: number }>(
      `UPDATE send_ledger SET holder = $2, lease_until = now() + $3::int * interval '1 millisecond',
              attempt = attempt + 1, claimed_at = now(), updated_at = now(), generation = $4::int
       WHERE delivery_id = $1::uuid AND state = 'claimed' AND lease_until < now()
         AND claimed_at IS NOT DISTINCT FROM $5::timestamptz
       RETURNING attempt, throttled`,
      [deliveryId, holder, leaseMs, generation, row.claimed_at],
    );
    if (taken.rows[0]) return { kind: 'in-doubt', attempt: taken.rows[0].attempt, charged: taken.rows[0].attempt - taken.rows[0].throttled, previousHolder: row.holder, provider: row.provider };
    return this.claim(request);
  }

  /** The provider accepted the send. Recorded whoever holds the claim now: it is what happened. */
  async markSent(deliveryId: string, providerMessageId: string | null): Promise<void> {
    await this.sql.query(
      `UPDATE send_ledger SET state = 'sent', provider_message_id = $2, lease_until = NULL,
              completed_at = now(), updated_at = now(), error = NULL
       WHERE delivery_id = $1::uuid AND state <> 'sent'`,
      [deliveryId, providerMessageId],
    );
  }

  /** The send certainly did not happen (e.g. connection refused, a 4xx reply): another attempt may claim. */
  async release(deliveryId: string, holder: string, error: string, options: { throttled?: boolean } = {}): Promise<void> {
    await this.sql.query(
      `UPDATE send_ledger SET state = 'released', holder = NULL, lease_until = NULL, error = $3, updated_at = now(),
              throttled = throttled + $4::int
       WHERE delivery_id = $1::uuid AND state = 'claimed' AND holder = $2`,
      [deliveryId, holder, error, options.throttled ? 1 : 0],
    );
  }

  /** Failed for good in this generation. */
  async markFailed(deliveryId: string, generation: number, error: string): Promise<number> {
    const { rows } = await this.sql.query<{ attempt: number }>(
      `INSERT INTO send_ledger (delivery_id, generation, state, attempt, error, completed_at, updated_at)
       VALUES ($1::uuid, $2::int, 'failed', 0, $3, now(), now())
       ON CONFLICT (delivery_id) DO UPDATE SET state = 'failed', holder = NULL, lease_until = NULL,
              error = EXCLUDED.error, completed_at = now(), updated_at = now()
       WHERE send_ledger.state <> 'sent' AND send_ledger.generation <= EXCLUDED.generation
       RETURNING attempt`,
      [deliveryId, generation, error],
    );
    return rows[0]?.attempt ?? 0;
  }
}
