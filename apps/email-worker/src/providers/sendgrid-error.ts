/**
 * Classifies a failed SendGrid v3 mail send from its documented answers:
 * - 400 (the request is invalid: the `errors` array says which field) and 413 (too large):
 *   permanent;
 * - 401 (bad API key), 403 (key without mail.send, or a sender identity not verified) and 404:
 *   transient, like an SMTP authentication error (an operator fixes the account, the delivery goes
 *   out within its maximum age);
 * - 429: transient, after X-RateLimit-Reset (epoch seconds) or Retry-After when given;
 * - 5xx: transient;
 * - no HTTP answer: see classifyNetworkError.
 * SendGrid has no idempotency key, so an unknown outcome is settled by IN_DOUBT_POLICY.
 */
import { ProviderError } from '@herald/delivery';
import { classifyNetworkError, retryAfterMs } from './http-failure';

interface SendGridErrorShape {
  code?: unknown;
  message?: string;
  response?: { headers?: Record<string, unknown>; body?: { errors?: Array<{ message?: string; field?: string | null }> } };
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function classifySendGridError(error: unknown, now = Date.now()): ProviderError {
  const e = (error ?? {}) as SendGridErrorShape;
  if (typeof e.code !== 'number' || !e.response) return classifyNetworkError(error, 'sendgrid');
  const status = e.code;
  const first = e.response.body?.errors?.[0];
  const message = first?.message ? `${status}: ${first.message}${first.field ? ` (${first.field})` : ''}` : `${status}: ${e.message ?? 'SendGrid refused the request'}`;
  const code = `SENDGRID_${status}`;
  if (status === 429) {
    const reset = header(e.response.headers, 'x-ratelimit-reset');
    const fromReset = reset && /^\d+$/.test(reset) ? Math.max(0, Number(reset) * 1_000 - now) : undefined;
    const wait = retryAfterMs(header(e.response.headers, 'retry-after'), now) ?? fromReset;
    return new ProviderError(message, { code, permanent: false, ...(wait === undefined ? {} : { retryAfterMs: wait }), cause: error });
  }
  if (status >= 500 || status === 401 || status === 403 || status === 404) return new ProviderError(message, { code, permanent: false, cause: error });
  return new ProviderError(message, { code, permanent: status >= 400, cause: error });
}
