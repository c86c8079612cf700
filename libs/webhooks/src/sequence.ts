/**
 * The sequence of a delivery's events: a number that grows with every event of one delivery, so
 * that a receiver can keep the highest it has seen and drop a stale event that arrives late (calls
 * are retried independently, so they may arrive out of order). Derived from the event alone:
 *
 *   sequence = (generation * 1,000,000 + attempt) * 16 + order of the event type
 *
 * A replay raises the generation, each send attempt the attempt, and within one attempt the
 * events follow their natural order: queued, sending, attempt_failed, sent, deferred, delivered,
 * failed, complained, opted_out. (A failed after sent comes from a provider's bounce; complaints
 * and opt-outs follow delivery.)
 */
import type { DeliveryEventType } from '@herald/contracts';

const ORDER: Readonly<Record<DeliveryEventType, number>> = {
  accepted: 0,
  queued: 1,
  sending: 2,
  attempt_failed: 3,
  sent: 4,
  deferred: 5,
  delivered: 6,
  failed: 7,
  complained: 8,
  opted_out: 9,
};

/** Attempts per generation the formula leaves room for. */
const ATTEMPTS = 1_000_000;

export function deliverySequence(generation: number, attempt: number, type: DeliveryEventType): number {
  return (generation * ATTEMPTS + Math.min(attempt, ATTEMPTS - 1)) * 16 + ORDER[type];
}
