/**
 * An in-memory send ledger with the same rules as the PostgreSQL one (libs/tracking SendLedger),
 * for unit tests of the delivery flow. Both pass the same conformance suite
 * (ledger-conformance.ts): libs/delivery runs it against this one, libs/tracking against SQL.
 */
import type { ClaimOutcome, ClaimRequest, SendLedgerPort } from '../ports';

interface Row {
  state: 'claimed' | 'sent' | 'released' | 'failed';
  attempt: number;
  throttled: number;
  holder: string | null;
  leaseUntil: number;
  claimedAt: number;
  generation: number;
  provider: string | null;
  providerMessageId: string | null;
  error: string | null;
}

export class MemoryLedger implements SendLedgerPort {
  readonly rows = new Map<string, Row>();
  /** client/channel/address -> reason */
  readonly suppressions = new Map<string, string>();
  now: () => number = () => Date.now();

  suppress(client: string, channel: string, address: string, reason = 'manual'): void {
    this.suppressions.set(`${client}/${channel}/${address}`, reason);
  }

  /** Makes a claim's lease run out (what time does to a dead worker's claim). */
  expireLease(deliveryId: string): void {
    const row = this.rows.get(deliveryId);
    if (row) row.leaseUntil = this.now() - 1_000;
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { deliveryId, generation, holder, leaseMs, provider } = request;
    const row = this.rows.get(deliveryId);
    const r = request.recipient;
    const suppressed = r ? (this.suppressions.get(`${r.client}/${r.channel}/${r.address}`) ?? this.suppressions.get(`*/${r.channel}/${r.address}`)) : undefined;
    const claimable = !row || (row.state === 'released' && row.generation === generation) || ((row.state === 'released' || row.state === 'failed') && row.generation < generation);
    if (claimable && suppressed === undefined) {
      const attempt = (row?.attempt ?? 0) + 1;
      const throttled = row?.throttled ?? 0;
      this.rows.set(deliveryId, { state: 'claimed', attempt, throttled, holder, leaseUntil: this.now() + leaseMs, claimedAt: this.now(), generation, provider, providerMessageId: null, error: null });
      return { kind: 'claimed', attempt, charged: attempt - throttled, provider };
    }
    if (row?.state === 'sent') return { kind: 'already-sent', attempt: row.attempt, providerMessageId: row.providerMessageId, provider: row.provider };
    if (suppressed !== undefined) return { kind: 'suppressed', reason: suppressed };
    if (!row) throw new Error(`memory ledger: no row for ${deliveryId} after a refused claim`);
    if (row.generation > generation || row.state === 'failed') return { kind: 'closed', state: row.state, generation: row.generation, attempt: row.attempt, error: row.error };
    if (row.state === 'claimed' && row.leaseUntil > this.now()) return { kind: 'held', holder: row.holder, leaseUntil: new Date(row.leaseUntil) };
    // An expired claim: in doubt, taken over by this holder (at the provider that held it).
    const previousHolder = row.holder;
    Object.assign(row, { holder, attempt: row.attempt + 1, leaseUntil: this.now() + leaseMs, claimedAt: this.now(), generation });
    return { kind: 'in-doubt', attempt: row.attempt, charged: row.attempt - row.throttled, previousHolder, provider: row.provider };
  }

  async markSent(deliveryId: string, providerMessageId: string | null): Promise<void> {
    const row = this.rows.get(deliveryId);
    if (row && row.state !== 'sent') Object.assign(row, { state: 'sent', providerMessageId, leaseUntil: 0, error: null });
  }

  async release(deliveryId: string, holder: string, error: string, options: { throttled?: boolean } = {}): Promise<void> {
    const row = this.rows.get(deliveryId);
    if (row?.state === 'claimed' && row.holder === holder) Object.assign(row, { state: 'released', holder: null, leaseUntil: 0, error, throttled: row.throttled + (options.throttled ? 1 : 0) });
  }

  async markFailed(deliveryId: string, generation: number, error: string): Promise<number> {
    const row = this.rows.get(deliveryId);
    if (!row) {
      this.rows.set(deliveryId, { state: 'failed', attempt: 0, throttled: 0, holder: null, leaseUntil: 0, claimedAt: 0, generation, provider: null, providerMessageId: null, error });
      return 0;
    }
    if (row.state === 'sent' || row.generation > generation) return 0;
    Object.assign(row, { state: 'failed', holder: null, leaseUntil: 0, error });
    return row.attempt;
  }
}
