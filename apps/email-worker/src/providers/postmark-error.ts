/**
 * Classifies a failed Postmark send from its documented answers: HTTP 422 carries an API
 * ErrorCode, 401 a missing or wrong server token, 429 the rate limit, 500/503 Postmark's own
 * trouble.
 * - 422 with a code that says the message or recipient is at fault: 300 (invalid email
 *   request), 402 (invalid JSON), 403 (incompatible JSON), 406 (inactive recipient: Postmark
 *   suppressed it after a hard bounce, a complaint or an unsubscribe), 409 (JSON required), 411
 *   (forbidden attachment type), and any other 422: permanent;
 * - 401 / ErrorCode 10 (bad token), 400 / 401 (sender signature missing / not confirmed), 405
 *   (not allowed to send: out of credits), 412 (account pending approval), 1235 (message stream
 *   not found): transient, like an SMTP authentication error (an operator fixes the account);
 * - 429, 500, 503: transient;
 * - no HTTP answer: see classifyNetworkError (the SDK hides the network error, so the provider
 *   hands it in itself).
 */
import { ProviderError } from '@herald/delivery';
import { classifyNetworkError } from './http-failure';

interface PostmarkErrorShape {
  code?: number;
  statusCode?: number;
  message?: string;
}

const TRANSIENT_CODES = new Set([10, 400, 401, 405, 412, 1235]);

/** `networkError`: what fetch threw, when no HTTP answer came (the SDK keeps only its message). */
export function classifyPostmarkError(error: unknown, networkError?: unknown): ProviderError {
  const e = (error ?? {}) as PostmarkErrorShape;
  const status = e.statusCode ?? 0;
  if (networkError !== undefined || status === 0) return classifyNetworkError(networkError ?? error, 'postmark');
  const apiCode = e.code ?? 0;
  const message = `${status}${apiCode ? ` (ErrorCode ${apiCode})` : ''}: ${e.message ?? 'Postmark refused the request'}`;
  const code = apiCode ? `POSTMARK_${apiCode}` : `POSTMARK_HTTP_${status}`;
  if (status === 422) {
    // Any other 422 is a request Postmark will not take as it is.
    return new ProviderError(message, { code, permanent: !TRANSIENT_CODES.has(apiCode), cause: error });
  }
  if (status === 401 || status === 429 || status >= 500) return new ProviderError(message, { code, permanent: false, cause: error });
  return new ProviderError(message, { code, permanent: status >= 400 && status < 500 && status !== 404 && status !== 408, cause: error });
}
