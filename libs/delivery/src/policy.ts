import type { BackoffPolicy } from '@herald/runtime';

/** A worker's delivery policy (from its configuration). */
export interface DeliveryPolicy {
  /** Provider calls before a delivery is failed. */
  maxAttempts: number;
  /** A delivery not sent this long after acceptance is failed (EXPIRED). */
  maxAgeMs: number;
  /** A provider call is aborted after this long. */
  sendTimeoutMs: number;
  /** How long a claim protects a send; must exceed sendTimeoutMs. */
  leaseMs: number;
  /** Retry delays. */
  backoff: BackoffPolicy;
  /**
   * When a send's outcome is unknown and the provider can neither deduplicate nor be asked:
   * 'resend' (at least once: the recipient may get it twice) or 'fail' (at most once: it may not
   * arrive; the failure is kept for a replay).
   */
  inDoubt: 'resend' | 'fail';
}
