/**
 * The parts of classifying a failed provider call that every HTTP API shares:
 * - a call that never reached the provider (refused, no route, DNS) was not sent: transient;
 * - a call cut off after it was written (a reset, a timeout, our own abort) may have been sent:
 *   the outcome is unknown;
 * - Retry-After (seconds or an HTTP date) as milliseconds.
 * Each provider module maps its own documented status and error codes on top of this.
 */
import { ProviderError } from '@herald/delivery';

/** Connection errors that mean nothing was sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UND_ERR_CONNECT_TIMEOUT']);

const ERRNO_IN_MESSAGE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ECONNRESET|EPIPE|ETIMEDOUT)\b/;

/**
 * The error code of a network failure, looking through `cause` chains (fetch, undici, axios, the
 * AWS SDK), and last in the message: an SDK that re-wraps an error it does not recognise as an
 * Error (the AWS SDK's asSdkError, for an error from another realm) keeps only its text.
 */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const inMessage = ERRNO_IN_MESSAGE.exec(String((current as { message?: unknown }).message ?? ''));
    if (inMessage) return inMessage[1];
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorName(error: unknown): string | undefined {
  return error && typeof error === 'object' ? (error as { name?: string }).name : undefined;
}

/**
 * Classifies an error raised before any HTTP answer arrived. `provider` names the codes
 * (e.g. SES_NETWORK) when the error has no code of its own.
 */
export function classifyNetworkError(error: unknown, provider: string): ProviderError {
  const message = error instanceof Error ? error.message : String(error);
  const code = networkErrorCode(error);
  if (code && NEVER_CONNECTED.has(code)) return new ProviderError(message, { code, permanent: false, cause: error });
  const name = errorName(error);
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new ProviderError(message, { code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true, cause: error });
  }
  return new ProviderError(message, { code: code ?? `${provider.toUpperCase()}_NETWORK`, permanent: false, outcomeUnknown: true, cause: error });
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Races a provider call against `signal`: an SDK that takes no signal keeps running in the
 * background, but the send is given up (outcome unknown) when the signal fires. The abort
 * listener is removed once the call settles (a timeout signal with a listener stays alive).
 */
export async function abortable<T>(call: Promise<T>, signal: AbortSignal, provider: string): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ProviderError(`${provider} call abandoned (timeout or shutdown)`, { code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call, aborted]);
  } finally {
    call.catch(() => undefined);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
