/**
 * Errors of @herald/client. Every answer that is not a success becomes a HeraldApiError: the
 * status, the problem's stable `code` (HERALD_ERR_VALIDATION, HERALD_ERR_RATE_LIMITED...), each
 * offending field, the request id to quote, and Retry-After when the server gave one. An answer
 * that is not problem+json (a proxy's 502 page) gets the code HERALD_CLIENT_HTTP_<status>.
 */
import type { FieldError, Problem } from './types';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class HeraldApiError extends Error {
  override readonly name = 'HeraldApiError';
  /** The problem type, a URI (https://herald.dev/problems/...). */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** Each field the server refused, as a JSON pointer and a message (validation errors). */
  readonly fields: FieldError[];
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait before retrying (429, 503), when it said. */
  readonly retryAfterSec: number | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Problem | undefined,
    readonly headers: Headers,
  ) {
    super(problem ? `${status} ${code}: ${problem.detail ?? problem.title}` : `${status} ${code}`);
    this.type = problem?.type ?? 'about:blank';
    this.title = problem?.title ?? `HTTP ${status}`;
    this.detail = problem?.detail;
    this.fields = problem?.errors ?? [];
    this.requestId = problem?.requestId ?? headers.get('x-request-id') ?? undefined;
    this.retryAfterSec = retryAfterSeconds(headers.get('retry-after'));
  }

  /** The error for a response that is not a success, with its parsed body (openapi-fetch's `error`). */
  static from(response: Response, body: unknown): HeraldApiError {
    const problem = isProblem(response, body) ? body : undefined;
    return new HeraldApiError(response.status, problem?.code ?? `HERALD_CLIENT_HTTP_${response.status}`, problem, response.headers);
  }
}

function isProblem(response: Response, body: unknown): body is Problem {
  const type = response.headers.get('content-type') ?? '';
  return type.toLowerCase().startsWith(PROBLEM_CONTENT_TYPE) && typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';
}

/** Retry-After as seconds: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); undefined when absent or invalid. */
export function retryAfterSeconds(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
