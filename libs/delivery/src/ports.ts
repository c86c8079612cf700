/** The ports the delivery flow needs; libs/tracking and libs/kafka provide the adapters. */
import type { DeliveryEvent } from '@herald/contracts';

export type ClaimOutcome =
  /** Go ahead: call the provider. `attempt` counts provider calls for this delivery (1 for the first). */
  | { kind: 'claimed'; attempt: number }
  /** The previous holder's lease ran out with no outcome. We now hold the claim; find out before resending. */
  | { kind: 'in-doubt'; attempt: number; previousHolder: string | null }
  /** Sent before: do not send again. */
  | { kind: 'already-sent'; attempt: number; providerMessageId: string | null }
  /** Another worker is sending right now. Try again after the lease. */
  | { kind: 'held'; holder: string | null; leaseUntil: Date }
  /** Failed for good in this generation, or the job is older than the ledger's generation. */
  | { kind: 'closed'; state: string; generation: number; attempt: number; error: string | null };

export interface SendLedgerPort {
  claim(deliveryId: string, generation: number, holder: string, leaseMs: number): Promise<ClaimOutcome>;
  markSent(deliveryId: string, providerMessageId: string | null): Promise<void>;
  release(deliveryId: string, holder: string, error: string): Promise<void>;
  /** Returns the ledger's attempt count for the delivery. */
  markFailed(deliveryId: string, generation: number, error: string): Promise<number>;
}

export interface StatusReporter {
  report(events: readonly DeliveryEvent[]): Promise<void>;
}
