import { classifyMailgunError } from './mailgun-error';
import { classifyPostmarkError } from './postmark-error';
import { classifySendGridError } from './sendgrid-error';
import { classifySesError } from './ses-error';
import { classifyNetworkError, retryAfterMs } from './http-failure';

const shape = (e: { code: string; permanent: boolean; outcomeUnknown: boolean; retryAfterMs?: number }) => ({ code: e.code, permanent: e.permanent, outcomeUnknown: e.outcomeUnknown });
const netError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('classifyNetworkError', () => {
  it('takes a connection that never opened as transient and not sent, and anything cut off later as an unknown outcome', () => {
    expect(shape(classifyNetworkError(netError('ECONNREFUSED'), 'x'))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    expect(shape(classifyNetworkError(new TypeError('fetch failed', { cause: netError('ENOTFOUND') }), 'x'))).toEqual({ code: 'ENOTFOUND', permanent: false, outcomeUnknown: false });
    expect(shape(classifyNetworkError(netError('ECONNRESET'), 'x'))).toEqual({ code: 'ECONNRESET', permanent: false, outcomeUnknown: true });
    expect(shape(classifyNetworkError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'x'))).toEqual({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true });
    expect(shape(classifyNetworkError(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'), 'ses'))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    expect(shape(classifyNetworkError('weird', 'ses'))).toEqual({ code: 'SES_NETWORK', permanent: false, outcomeUnknown: true });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('classifySesError', () => {
  const aws = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  it.each([
    ['MessageRejected', 400, true],
    ['BadRequestException', 400, true],
    ['SomethingNewException', 400, true],
    ['LimitExceededException', 400, false],
    ['AccountSuspendedException', 400, false],
    ['TooManyRequestsException', 429, false],
    ['AccessDeniedException', 403, false],
    ['ServiceUnavailable', 503, false],
  ])('%s (%i) is permanent: %s', (name, status, permanent) => {
    expect(shape(classifySesError(aws(name, status)))).toEqual({ code: `SES_${name}`, permanent, outcomeUnknown: false });
  });
});

describe('classifySendGridError', () => {
  const response = (code: number, headers: Record<string, string> = {}, message = 'nope') => Object.assign(new Error('x'), { code, response: { headers, body: { errors: [{ message, field: 'from.email' }] } } });
  it('maps its documented statuses, with the rate-limit reset as the wait', () => {
    expect(shape(classifySendGridError(response(400)))).toEqual({ code: 'SENDGRID_400', permanent: true, outcomeUnknown: false });
    expect(classifySendGridError(response(400)).message).toBe('400: nope (from.email)');
    expect(shape(classifySendGridError(response(401)))).toEqual({ code: 'SENDGRID_401', permanent: false, outcomeUnknown: false });
    expect(shape(classifySendGridError(response(502)))).toEqual({ code: 'SENDGRID_502', permanent: false, outcomeUnknown: false });
    expect(classifySendGridError(response(429, { 'x-ratelimit-reset': '1010' }), 1_000_000).retryAfterMs).toBe(10_000);
    expect(shape(classifySendGridError(netError('ECONNRESET')))).toEqual({ code: 'ECONNRESET', permanent: false, outcomeUnknown: true });
  });
});

describe('classifyMailgunError', () => {
  const api = (status: number, message: string, details = '') => ({ status, message, details, type: 'MailgunAPIError' });
  it('tells mailgun.js network failures (status 400, message = errno) from real 400s', () => {
    expect(shape(classifyMailgunError(api(400, 'ECONNREFUSED', 'connect ECONNREFUSED')))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
    expect(shape(classifyMailgunError(api(400, 'ECONNRESET', 'socket hang up')))).toEqual({ code: 'ECONNRESET', permanent: false, outcomeUnknown: true });
    expect(shape(classifyMailgunError(api(400, 'ECONNABORTED', 'timeout of 3000ms exceeded')))).toEqual({ code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true });
    expect(shape(classifyMailgunError(api(400, 'BAD REQUEST', "'to' parameter is missing")))).toEqual({ code: 'MAILGUN_400', permanent: true, outcomeUnknown: false });
    expect(shape(classifyMailgunError(api(401, 'Unauthorized', 'Forbidden')))).toEqual({ code: 'MAILGUN_401', permanent: false, outcomeUnknown: false });
    expect(shape(classifyMailgunError(api(503, 'Service Unavailable')))).toEqual({ code: 'MAILGUN_503', permanent: false, outcomeUnknown: false });
  });
});

describe('classifyPostmarkError', () => {
  const pm = (statusCode: number, code: number) => Object.assign(new Error('x'), { statusCode, code });
  it('maps ErrorCodes of a 422 and the other statuses', () => {
    expect(shape(classifyPostmarkError(pm(422, 300)))).toEqual({ code: 'POSTMARK_300', permanent: true, outcomeUnknown: false });
    expect(shape(classifyPostmarkError(pm(422, 406)))).toEqual({ code: 'POSTMARK_406', permanent: true, outcomeUnknown: false });
    expect(shape(classifyPostmarkError(pm(422, 412)))).toEqual({ code: 'POSTMARK_412', permanent: false, outcomeUnknown: false });
    expect(shape(classifyPostmarkError(pm(401, 10)))).toEqual({ code: 'POSTMARK_10', permanent: false, outcomeUnknown: false });
    expect(shape(classifyPostmarkError(pm(500, 0)))).toEqual({ code: 'POSTMARK_HTTP_500', permanent: false, outcomeUnknown: false });
  });

  it('classifies the network error the provider handed in when the client only kept its message', () => {
    expect(shape(classifyPostmarkError(new Error('fetch failed'), new TypeError('fetch failed', { cause: netError('ECONNREFUSED') })))).toEqual({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });
});
