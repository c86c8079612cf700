/** How a delivery attempt ends when it does not end in a send. The worker maps these onto BullMQ. */

/** Try again after `retryDelayMs` (transient provider error), preferring another provider than `provider`. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryDelayMs: number,
    readonly provider?: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** No provider can take the attempt now (breakers open, paused, at its rate): wait until `until` without spending an attempt. */
export class ProvidersUnavailableError extends Error {
  constructor(
    readonly until: Date,
    readonly reason: string,
  ) {
    super(`${reason}; waiting until ${until.toISOString()}`);
    this.name = 'ProvidersUnavailableError';
  }
}

/** Another worker holds the send; try again at `until` without counting an attempt. */
export class SendHeldError extends Error {
  constructor(readonly until: Date) {
    super(`another worker is sending this delivery until ${until.toISOString()}`);
    this.name = 'SendHeldError';
  }
}

/** The delivery failed for good (reported as failed, kept in tracking for replay). */
export class DeliveryFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryFailedError';
  }
}
