/**
 * What every HTTP-speaking SMS provider shares: how a failed call is classified when the provider
 * never answered (refused connection: certainly not sent; timeout or reset: outcome unknown), how
 * a Retry-After header becomes a delay, and how an SDK call that takes no AbortSignal is still cut
 * off at the delivery's deadline.
 */
import { RECEIPT_ID_PARAMS } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';

/** Connection errors that happen before any byte of the request reached the provider. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * The system error code of a network failure: fetch puts it on `cause`, axios and Node on the
 * error; the AWS SDK's retry layer may rewrap what it does not recognise as an Error into a new
 * Error whose message keeps the original text ("... connect ECONNREFUSED ..."), so the message is
 * read last.
 */
export function networkErrorCode(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  if (typeof e?.code === 'string') return e.code;
  const inMessage = typeof e?.message === 'string' ? /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/.exec(e.message)?.[1] : undefined;
  if (inMessage) return inMessage;
  if (typeof e?.name === 'string') return e.name;
  return 'NETWORK';
}

/** A call that got no answer from the provider: transient; unknown outcome unless it certainly never left. */
export function classifyNetworkError(error: unknown): ProviderError {
  const code = networkErrorCode(error);
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  const message = error instanceof Error ? `${error.message}${cause?.code ? ` (${cause.code})` : ''}` : String(error);
  return new ProviderError(message, { code, permanent: false, outcomeUnknown: !NOT_SENT.has(code), cause: error });
}

/**
 * Runs `call` but gives up when `signal` aborts (for SDK calls that take no signal: their own
 * timeout ends the request itself). Giving up means the outcome is unknown.
 */
export async function untilAborted<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new ProviderError('send abandoned before it started', { code: 'ABORTED', permanent: false, outcomeUnknown: false });
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ProviderError('send abandoned at its deadline; the provider may have accepted it', { code: 'TIMEOUT', permanent: false, outcomeUnknown: true }));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Appends Herald's ids to a receipts URL as query parameters (Twilio signs the full URL, Vonage echoes it). */
export function callbackUrlFor(base: string, ids: { deliveryId: string; messageId: string }): string {
  const url = new URL(base);
  url.searchParams.set(RECEIPT_ID_PARAMS.deliveryId, ids.deliveryId);
  url.searchParams.set(RECEIPT_ID_PARAMS.messageId, ids.messageId);
  return url.toString();
}
