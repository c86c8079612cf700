/** How a delivery attempt ends when it does not end in a send. The worker maps these onto BullMQ. */
import { HeraldError } from '@herald/errors';

/** Try again after `retryDelayMs` (transient provider error), preferring another provider than `provider`. */
export class RetryLaterError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_DELIVERY_RETRY_LATER';
  constructor(
    message: string,
    readonly code: string,
    readonly retryDelayMs: number,
    readonly provider?: string,
  ) {
    super(message);
  }
}

/** No provider can take the attempt now (breakers open, paused, at its rate): wait until `until` without spending an attempt. */
export class ProvidersUnavailableError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_DELIVERY_PROVIDERS_UNAVAILABLE';
  constructor(
    readonly until: Date,
    readonly reason: string,
  ) {
    super(`${reason}; waiting until ${until.toISOString()}`);
  }
}

/** Another worker holds the send; try again at `until` without counting an attempt. */
export class SendHeldError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_DELIVERY_SEND_HELD';
  constructor(readonly until: Date) {
    super(`another worker is sending this delivery until ${until.toISOString()}`);
  }
}

/** The delivery failed for good (reported as failed, kept in tracking for replay). */
export class DeliveryFailedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_DELIVERY_FAILED';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
