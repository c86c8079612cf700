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
import { GroupCommit } from '@herald/runtime';
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

/** What the batched claim statement answers for each request. */
interface ClaimAnswer extends Partial<Omit<LedgerRow, 'attempt'>> {
  delivery_id: string;
  claimed_attempt: number | null;
  claimed_throttled: number | null;
  suppressed: string | null;
  /** The row as it was before the statement (null: no row). */
  attempt: number | null;
  throttled: number | null;
}

export interface SendLedgerOptions {
  /** Claims (and marks) of concurrent jobs ride in one statement, at most this many (default 200). */
  maxBatch?: number;
  /**
   * Statements of each kind in flight at once (default 1): the claims and marks that arrive while
   * one runs leave together in the next, so batches grow with load. Each statement costs a round
   * trip and a write to the socket whatever it carries; two in flight split the same arrivals
   * across two statements.
   */
  maxInFlight?: number;
}

export class SendLedger implements SendLedgerPort {
  private readonly claims: GroupCommit<ClaimRequest, ClaimOutcome>;
  private readonly marks: GroupCommit<{ deliveryId: string; providerMessageId: string | null }, void>;

  /**
   * `sql`: the process's pool (Database.sql). A worker's concurrent claims and "sent" marks are
   * grouped (GroupCommit): one statement and one commit per batch, not per delivery.
   */
  constructor(
    private readonly sql: SqlRunner,
    options: SendLedgerOptions = {},
  ) {
    const group = { maxBatch: options.maxBatch ?? 200, maxInFlight: options.maxInFlight ?? 1 };
    this.claims = new GroupCommit((requests) => this.claimMany(requests), group);
    this.marks = new GroupCommit(async (marks) => {
      await this.markSentMany(marks);
      return marks.map(() => undefined);
    }, group);
  }

  /**
   * Claims the right to send `deliveryId` at `generation` through `provider` for `leaseMs`, unless
   * the recipient is on the client's suppression list (checked in the same statement). Atomic: of
   * two workers racing, one gets 'claimed' and the other 'held'.
   */
  claim(request: ClaimRequest): Promise<ClaimOutcome> {
    return this.claims.submit(request);
  }

  /** Claims for several deliveries in one statement (a delivery named twice is claimed once, the repeat after). */
  private async claimMany(requests: readonly ClaimRequest[]): Promise<ClaimOutcome[]> {
    const seen = new Set<string>();
    const firsts: number[] = [];
    const repeats: number[] = [];
    requests.forEach((r, i) => {
      if (seen.has(r.deliveryId)) repeats.push(i);
      else {
        seen.add(r.deliveryId);
        firsts.push(i);
      }
    });
    const out: ClaimOutcome[] = new Array<ClaimOutcome>(requests.length);
    const batch = firsts.map((i) => requests[i] as ClaimRequest);
    const col = <T>(pick: (r: ClaimRequest) => T) => batch.map(pick);
    const { rows } = await this.sql.query<ClaimAnswer>(
      `WITH req AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
           AS r(delivery_id, generation, holder, lease_ms, client, channel, address, provider)
       ), suppressed AS (
         SELECT DISTINCT ON (r.delivery_id) r.delivery_id, s.reason
         FROM req r JOIN suppressions s ON s.client IN (r.client, '*') AND s.channel = r.channel AND s.address = r.address
         ORDER BY r.delivery_id, s.client = '*'
       ), claimed AS (
         INSERT INTO send_ledger (delivery_id, generation, state, attempt, holder, lease_until, claimed_at, updated_at, provider)
         SELECT r.delivery_id, r.generation, 'claimed', 1, r.holder, now() + r.lease_ms * interval '1 millisecond', now(), now(), r.provider
         FROM req r WHERE NOT EXISTS (SELECT 1 FROM suppressed s WHERE s.delivery_id = r.delivery_id)
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
         RETURNING delivery_id, attempt, throttled
       )
       SELECT r.delivery_id, c.attempt AS claimed_attempt, c.throttled AS claimed_throttled, s.reason AS suppressed,
              l.state, l.generation, l.attempt, l.throttled, l.holder, l.lease_until, l.claimed_at, l.provider, l.provider_message_id, l.error,
              (l.lease_until IS NULL OR l.lease_until < now()) AS expired
       FROM req r
       LEFT JOIN claimed c ON c.delivery_id = r.delivery_id
       LEFT JOIN suppressed s ON s.delivery_id = r.delivery_id
       LEFT JOIN send_ledger l ON l.delivery_id = r.delivery_id`,
      [
        col((r) => r.deliveryId),
        col((r) => r.generation),
        col((r) => r.holder),
        col((r) => r.leaseMs),
        col((r) => r.recipient?.client ?? null),
        col((r) => r.recipient?.channel ?? null),
        col((r) => r.recipient?.address ?? null),
        col((r) => r.provider),
      ],
    );
    const byId = new Map(rows.map((row) => [row.delivery_id, row]));
    await Promise.all(
      firsts.map(async (i) => {
        const request = requests[i] as ClaimRequest;
        out[i] = await this.outcome(request, byId.get(request.deliveryId));
      }),
    );
    if (repeats.length) {
      const again = await this.claimMany(repeats.map((i) => requests[i] as ClaimRequest));
      repeats.forEach((i, k) => (out[i] = again[k] as ClaimOutcome));
    }
    return out;
  }

  /** The outcome of one request from the batch's answer (taking over an expired claim on its own). */
  private async outcome(request: ClaimRequest, answer: ClaimAnswer | undefined): Promise<ClaimOutcome> {
    const { deliveryId, generation, holder, leaseMs, provider } = request;
    if (answer?.claimed_attempt != null) return { kind: 'claimed', attempt: answer.claimed_attempt, charged: answer.claimed_attempt - (answer.claimed_throttled ?? 0), provider };
    const row = answer && answer.state ? answer : undefined;
    if (row?.state === 'sent') return { kind: 'already-sent', attempt: row.attempt ?? 0, providerMessageId: row.provider_message_id ?? null, provider: row.provider ?? null };
    if (answer?.suppressed != null) return { kind: 'suppressed', reason: answer.suppressed };
    if (!row || row.state === undefined) throw new Error(`send ledger: no row for ${deliveryId} after a refused claim`);
    if ((row.generation ?? 0) > generation || row.state === 'failed') {
      return { kind: 'closed', state: row.state, generation: row.generation ?? 0, attempt: row.attempt ?? 0, error: row.error ?? null };
    }
    if (row.state === 'claimed' && !row.expired) {
      return { kind: 'held', holder: row.holder ?? null, leaseUntil: row.lease_until ?? new Date() };
    }
    // An expired claim: take it over (at the provider that held it), unless someone else just did.
    const taken = await this.sql.query<{ attempt: number; throttled: number }>(
      `UPDATE send_ledger SET holder = $2, lease_until = now() + $3::int * interval '1 millisecond',
              attempt = attempt + 1, claimed_at = now(), updated_at = now(), generation = $4::int
       WHERE delivery_id = $1::uuid AND state = 'claimed' AND lease_until < now()
         AND claimed_at IS NOT DISTINCT FROM $5::timestamptz
       RETURNING attempt, throttled`,
      [deliveryId, holder, leaseMs, generation, row.claimed_at ?? null],
    );
    if (taken.rows[0]) return { kind: 'in-doubt', attempt: taken.rows[0].attempt, charged: taken.rows[0].attempt - taken.rows[0].throttled, previousHolder: row.holder ?? null, provider: row.provider ?? null };
    return this.claim(request);
  }

  /** The provider accepted the send. Recorded whoever holds the claim now: it is what happened. */
  markSent(deliveryId: string, providerMessageId: string | null): Promise<void> {
    return this.marks.submit({ deliveryId, providerMessageId });
  }

  private async markSentMany(marks: ReadonlyArray<{ deliveryId: string; providerMessageId: string | null }>): Promise<void> {
    await this.sql.query(
      `UPDATE send_ledger l SET state = 'sent', provider_message_id = m.provider_message_id, lease_until = NULL,
              completed_at = now(), updated_at = now(), error = NULL
       FROM (SELECT DISTINCT ON (delivery_id) * FROM unnest($1::uuid[], $2::text[]) AS m(delivery_id, provider_message_id)) m
       WHERE l.delivery_id = m.delivery_id AND l.state <> 'sent'`,
      [marks.map((m) => m.deliveryId), marks.map((m) => m.providerMessageId)],
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
