/**
 * The delivery status vocabulary and its state machine.
 *
 * accepted -> queued -> sending -> sent -> delivered
 *        \________\________\________\---> failed
 *
 * Transitions only move forward: each status has a rank and an event applies only when it raises
 * the rank. delivered and failed share the top rank, so both are terminal and a late or repeated
 * event never takes a delivery back. A replay (an explicit operator action) starts a new
 * generation instead of moving a status backwards.
 */

export const DELIVERY_STATUSES = ['accepted', 'queued', 'sending', 'sent', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * History entries: every status, a failed attempt that will be retried, and what providers
 * report that does not change a status: a temporary delay they are still retrying (deferred), a
 * spam complaint after delivery (complained), a recipient's opt-out (opted_out).
 */
export const DELIVERY_NOTES = ['attempt_failed', 'deferred', 'complained', 'opted_out'] as const;
export const DELIVERY_EVENT_TYPES = [...DELIVERY_STATUSES, ...DELIVERY_NOTES] as const;
export type DeliveryEventType = (typeof DELIVERY_EVENT_TYPES)[number];

const RANK: Readonly<Record<DeliveryStatus, number>> = {
  accepted: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  failed: 4,
};

/** The highest rank; statuses at this rank are terminal. */
export const TERMINAL_RANK = 4;

export function statusRank(status: DeliveryStatus): number {
  return RANK[status];
}

export function isTerminal(status: DeliveryStatus): boolean {
  return RANK[status] === TERMINAL_RANK;
}

/** A final status from the API consumer's point of view: the delivery will not move on its own. */
export function isFinal(status: DeliveryStatus): boolean {
  return status === 'sent' || isTerminal(status);
}

/** Whether an event of type `next` moves a delivery that is at `current`. */
export function canAdvance(current: DeliveryStatus, next: DeliveryEventType): boolean {
  if (!isDeliveryStatus(next)) return false;
  return RANK[next] > RANK[current];
}

/** The status after applying `next` at `current` (unchanged when the event does not advance it). */
export function advance(current: DeliveryStatus, next: DeliveryEventType): DeliveryStatus {
  return isDeliveryStatus(next) && canAdvance(current, next) ? next : current;
}

export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value);
}
