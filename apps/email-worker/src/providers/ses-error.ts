/**
 * Classifies a failed SESv2 SendEmail call from the error names the API documents for it:
 * - the request itself is refused (MessageRejected: content or recipient; BadRequestException):
 *   permanent, resending the same email cannot help;
 * - throttling and quotas (TooManyRequestsException, LimitExceededException, Throttling) and
 *   the account's or identity's state (SendingPausedException, AccountSuspendedException,
 *   MailFromDomainNotVerifiedException, NotFoundException for a missing configuration set, bad
 *   credentials): transient, like an SMTP authentication error: an operator can fix them and the
 *   delivery then goes out within its maximum age;
 * - 5xx (InternalFailure, ServiceUnavailable): transient;
 * - no HTTP answer at all: see classifyNetworkError (not sent, or outcome unknown).
 * SES has no idempotency key and no way to look a message up by our ids, so an unknown outcome
 * is settled by IN_DOUBT_POLICY.
 */
import { ProviderError } from '@herald/delivery';
import { classifyNetworkError } from './http-failure';

const PERMANENT = new Set(['MessageRejected', 'BadRequestException', 'InvalidParameterValue', 'ValidationException', 'SerializationException']);

interface AwsErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function classifySesError(error: unknown): ProviderError {
  const e = (error ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status !== 'number') return classifyNetworkError(error, 'ses');
  const name = e.name && e.name !== 'Error' ? e.name : `HTTP_${status}`;
  const message = e.message || name;
  const code = `SES_${name}`;
  if (PERMANENT.has(name)) return new ProviderError(message, { code, permanent: true, cause: error });
  if (status >= 500) return new ProviderError(message, { code, permanent: false, cause: error });
  if (status === 429 || status === 401 || status === 403 || status === 404) return new ProviderError(message, { code, permanent: false, cause: error });
  // The documented transient client faults; any other 4xx is a request SES will never take.
  const transient = ['TooManyRequestsException', 'LimitExceededException', 'Throttling', 'ThrottlingException', 'SendingPausedException', 'AccountSuspendedException', 'MailFromDomainNotVerifiedException', 'NotFoundException'];
  return new ProviderError(message, { code, permanent: !transient.includes(name), cause: error });
}
