/** What a delivery provider (an SMTP relay, an SMS gateway) looks like to the workers. */
import { HeraldError } from '@herald/errors';
import type { DeliveryJob } from '@herald/contracts';
import { safeSummary } from './summary';

export interface ProviderReceipt {
  /** The provider's id for the message (SMTP Message-ID, gateway id), when it gives one. */
  providerMessageId: string | null;
}

export interface DeliveryProvider<J extends DeliveryJob> {
  readonly name: string;
  /**
   * The provider deduplicates repeated sends of the same delivery itself (e.g. an Idempotency-Key
   * header). Then a send whose outcome is unknown may simply be repeated.
   */
  readonly idempotent: boolean;
  /** Sends one delivery. Throws ProviderError; `signal` aborts a call that outlives its budget. */
  send(job: J, signal: AbortSignal): Promise<ProviderReceipt>;
  /**
   * Asks the provider whether it already has this delivery (for a send whose outcome is unknown).
   * Returns the receipt if it does, null if it certainly does not. Absent when the provider
   * cannot answer.
   */
  lookup?(job: J, signal: AbortSignal): Promise<ProviderReceipt | null>;
  close(): Promise<void>;
}

/**
 * A failed provider call, classified:
 * - permanent: retrying cannot help (invalid recipient, 5xx SMTP reply, 400 from a gateway);
 * - outcomeUnknown: the request may have reached the provider (a timeout or a reset after the
 *   message was sent); the next attempt must find out before sending again;
 * - retryAfterMs: the provider asked for a pause (HTTP 429 Retry-After).
 */
/** Codes that mean "slow down": HTTP 429 and the providers' own (TWILIO_20429, SES TooManyRequests, SNS Throttling...). */
const THROTTLE_CODE = /(^|_)429$|THROTTL|TOO_?MANY_?REQUESTS|RATE_?LIMIT/i;

export class ProviderError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_DELIVERY_PROVIDER';
  readonly code: string;
  readonly permanent: boolean;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | undefined;
  /** What API clients may see: Herald's sentence for the code (see safeSummary) unless the adapter gives a safe one. */
  readonly summary: string;
  /** The provider says the recipient opted out or does not exist: tracking puts it on the client's suppression list. */
  readonly suppress: 'opt_out' | 'hard_bounce' | undefined;
  /** The provider asked Herald to slow down (HTTP 429 or its own throttling code): pause it, spend no attempt. */
  readonly throttled: boolean;

  /** `message` is the provider's own text: it is logged, never shown to API clients. */
  constructor(message: string, options: { code: string; permanent: boolean; outcomeUnknown?: boolean; retryAfterMs?: number; summary?: string; suppress?: 'opt_out' | 'hard_bounce'; throttled?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.permanent = options.permanent;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.summary = options.summary ?? safeSummary(options.code);
    this.suppress = options.suppress;
    this.throttled = options.throttled ?? THROTTLE_CODE.test(options.code);
  }
}
