/**
 * The base class of every Herald error (libraries and apps; not the published @herald/client,
 * which imports nothing of Herald's, nor the tools' own errors).
 *
 * Each subclass declares a stable code once, as `static readonly heraldCode`, in the form
 * `HERALD_ERR_<PROJECT>_<WHAT>` (fastify's `FST_ERR_<AREA>_<WHAT>`): `<PROJECT>` is the Nx project
 * that owns the class (RUNTIME, KAFKA, DELIVERY, INGEST...), `<WHAT>` names the failure. A code is a
 * contract for logs, alerts and callers: once released it is never renamed or reused, even if the
 * class is. Every instance carries it as `heraldCode` (and pino's error serializer logs it).
 *
 * The field is `heraldCode`, not `code`: some Herald errors published `code` before with another
 * meaning (ProviderError's provider code, DeliveryFailedError's delivery error code,
 * HttpProblemError's problem code, the webhook errors' attempt codes), and those stay as they are.
 */
export class HeraldError extends Error {
  /** The stable code of the class; every subclass sets its own (a spec checks they differ). */
  static readonly heraldCode: string = 'HERALD_ERR';

  /** This error's stable code: its class's `heraldCode`. */
  readonly heraldCode: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The class name, whatever the subclass (so a subclass need not set it).
    this.name = new.target.name;
    this.heraldCode = (new.target as typeof HeraldError).heraldCode;
  }
}

/** True when `value` is a Herald error (optionally: with this code). */
export function isHeraldError(value: unknown, heraldCode?: string): value is HeraldError {
  return value instanceof HeraldError && (heraldCode === undefined || value.heraldCode === heraldCode);
}
