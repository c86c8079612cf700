/**
 * Collapses a batch of delivery events into one row update per delivery, following the status
 * state machine from the contracts: the highest-ranked status wins, the first event of a status
 * gives its timestamp, attempts is the highest attempt seen, the last error is the latest one.
 * The database applies the result under the same rule (the rank only rises, within the current
 * generation), so events applied in any order, or twice, end in the same row.
 */
import { isDeliveryStatus, statusRank, type DeliveryEvent, type DeliveryStatus } from '@herald/contracts';

export interface DeliveryUpdate {
  deliveryId: string;
  generation: number;
  /** The status to move to (null: no status event in the batch, only attempts or errors). */
  status: DeliveryStatus | null;
  rank: number;
  attempts: number;
  providerMessageId: string | null;
  provider: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  queuedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
}

const earliest = (a: string | null, b: string) => (a === null || b < a ? b : a);

export function collapseEvents(events: readonly DeliveryEvent[]): DeliveryUpdate[] {
  const byKey = new Map<string, DeliveryUpdate & { errorAt: string | null }>();
  for (const e of events) {
    const key = `${e.deliveryId}/${e.generation}`;
    let u = byKey.get(key);
    if (!u) {
      u = {
        deliveryId: e.deliveryId,
        generation: e.generation,
        status: null,
        rank: -1,
        attempts: 0,
        providerMessageId: null,
        provider: null,
        lastError: null,
        lastErrorCode: null,
        queuedAt: null,
        sentAt: null,
        deliveredAt: null,
        failedAt: null,
        errorAt: null,
      };
      byKey.set(key, u);
    }
    if (isDeliveryStatus(e.type)) {
      const rank = statusRank(e.type);
      if (rank > u.rank) {
        u.rank = rank;
        u.status = e.type;
      }
      if (e.type === 'queued') u.queuedAt = earliest(u.queuedAt, e.at);
      if (e.type === 'sent') u.sentAt = earliest(u.sentAt, e.at);
      if (e.type === 'delivered') u.deliveredAt = earliest(u.deliveredAt, e.at);
      if (e.type === 'failed') u.failedAt = earliest(u.failedAt, e.at);
    }
    if (e.type === 'sending' || e.type === 'sent' || e.type === 'attempt_failed' || e.type === 'failed') {
      u.attempts = Math.max(u.attempts, e.attempt);
    }
    if (e.providerMessageId) u.providerMessageId = e.providerMessageId;
    if (e.provider) u.provider = e.provider;
    if (e.error && (u.errorAt === null || e.at >= u.errorAt)) {
      u.errorAt = e.at;
      u.lastError = e.error.message;
      u.lastErrorCode = e.error.code;
    }
  }
  return [...byKey.values()].map(({ errorAt: _errorAt, ...u }) => u);
}

/** The text kept in history for an event. */
export function eventDetail(e: DeliveryEvent): string | null {
  if (e.error) return `${e.error.code}: ${e.error.message}${e.retryAt ? ` (retry at ${e.retryAt})` : ''}`;
  if (e.providerMessageId) return `provider message id ${e.providerMessageId}`;
  return null;
}
