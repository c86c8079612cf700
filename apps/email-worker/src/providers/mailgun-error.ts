/**
 * Classifies a failed Mailgun send from the status codes its API documents:
 * - 400 (a missing or invalid parameter) and 413 (too large): permanent;
 * - 401 (bad API key), 402 (request failed: the account's state), 403 (the key may not do
 *   this), 404 (unknown sending domain): transient, like an SMTP authentication error (an
 *   operator fixes the account or MAILGUN_DOMAIN, the delivery goes out within its maximum age);
 * - 429: transient;
 * - 5xx: transient;
 * - no HTTP answer: see classifyNetworkError.
 *
 * mailgun.js turns a network failure into an APIError with status 400 whose message is the error
 * code (ECONNREFUSED, ECONNRESET, ECONNABORTED for its own timeout): those are recognised here,
 * before a 400 could be read as a refused request.
 */
import { ProviderError } from '@herald/delivery';
import { classifyNetworkError } from './http-failure';

interface MailgunErrorShape {
  status?: number;
  message?: string;
  details?: string;
  type?: string;
}

const SDK_NETWORK_ERROR = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

export function classifyMailgunError(error: unknown): ProviderError {
  const e = (error ?? {}) as MailgunErrorShape;
  if (e.type !== 'MailgunAPIError' || typeof e.status !== 'number') return classifyNetworkError(error, 'mailgun');
  if (e.message && SDK_NETWORK_ERROR.test(e.message)) {
    const code = e.message === 'ECONNABORTED' ? 'ETIMEDOUT' : e.message;
    return classifyNetworkError(Object.assign(new Error(e.details ?? e.message), { code, ...(code === 'ETIMEDOUT' ? { name: 'TimeoutError' } : {}) }), 'mailgun');
  }
  const status = e.status;
  const message = `${status}: ${e.details || e.message || 'Mailgun refused the request'}`;
  const code = `MAILGUN_${status}`;
  if (status === 400 || status === 413) return new ProviderError(message, { code, permanent: true, cause: error });
  return new ProviderError(message, { code, permanent: status >= 400 && status < 500 && ![401, 402, 403, 404, 408, 429].includes(status), cause: error });
}
