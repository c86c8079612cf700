/** The ports the delivery flow needs; libs/tracking and libs/kafka provide the adapters. */
import type { Channel, DeliveryEvent } from '@herald/contracts';

/** One claim: the right to call `provider` for this delivery now. */
export interface ClaimRequest {
  deliveryId: string;
  generation: number;
  /** Identifies this processing of the job (host/pid/job/token). */
  holder: string;
  leaseMs: number;
  /** The provider this attempt would use (recorded with the claim: a delivery never goes through two providers at once). */
  provider: string;
  /** Checked against the client's suppression list in the same step: a suppressed recipient is never claimed. */
  recipient?: { client: string; channel: Channel; address: string };
}

export type ClaimOutcome =
  /**
   * Go ahead: call `provider`. `attempt` counts provider calls for this delivery (1 for the first);
   * `charged` counts those that spend the delivery's attempts (calls a provider throttled do not).
   */
  | { kind: 'claimed'; attempt: number; charged: number; provider: string }
  /**
   * The previous holder's lease ran out with no outcome. We now hold the claim; find out before
   * resending, at the provider that held the send (`provider`), never at another one.
   */
  | { kind: 'in-doubt'; attempt: number; charged: number; previousHolder: string | null; provider: string | null }
  /** Sent before: do not send again. */
  | { kind: 'already-sent'; attempt: number; providerMessageId: string | null; provider: string | null }
  /** Another worker is sending right now. Try again after the lease. */
  | { kind: 'held'; holder: string | null; leaseUntil: Date }
  /** Failed for good in this generation, or the job is older than the ledger's generation. */
  | { kind: 'closed'; state: string; generation: number; attempt: number; error: string | null }
  /** The recipient is on the client's suppression list: do not send, fail the delivery. */
  | { kind: 'suppressed'; reason: string };

export interface SendLedgerPort {
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  markSent(deliveryId: string, providerMessageId: string | null): Promise<void>;
  /** The send certainly did not happen; `throttled`: the provider asked to slow down, so the call spends none of the delivery's attempts. */
  release(deliveryId: string, holder: string, error: string, options?: { throttled?: boolean }): Promise<void>;
  /** Failed for good in this generation (never a sent delivery, never a newer generation). Returns the ledger's attempt count. */
  markFailed(deliveryId: string, generation: number, error: string): Promise<number>;
}

export interface StatusReporter {
  report(events: readonly DeliveryEvent[]): Promise<void>;
}
