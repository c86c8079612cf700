/**
 * Retries of @herald/client. A request answered 429 (over the rate limit: nothing was done) or
 * 503 (Herald could not do it now: nothing was accepted) is sent again, up to `attempts` times in
 * all, after the Retry-After the server gave (plus a little jitter, so that clients told the same
 * second do not come back together), or else after an exponential backoff with jitter. A request
 * that failed on the network (no answer) is sent again only when repeating it is safe: an
 * idempotent method, or a request that carries an Idempotency-Key. A wait longer than
 * `maxDelayMs` is not made: the answer goes back to the caller. Aborting the request's signal
 * ends the wait at once.
 *
 * The loop (and a fresh copy of the request for each attempt) is fetch-retry's, a small and
 * widely used wrapper of any fetch; the policy is ours, because none of the libraries that
 * honour Retry-After (ky, p-retry 7+) can be loaded from CommonJS, which Herald's code and many
 * consumers' still are.
 */
import fetchRetry from 'fetch-retry';
import { retryAfterSeconds } from './errors';

export interface RetryOptions {
  /** Attempts in all, the first included (1: no retry). Default 4. */
  attempts: number;
  /** The first backoff when the server gave no Retry-After; doubles at each attempt. Default 200 ms. */
  baseDelayMs: number;
  /** The longest wait before an attempt (a longer Retry-After is not waited for). Default 30 s. */
  maxDelayMs: number;
  /** Statuses that are retried. Default 429 and 503. */
  statuses: readonly number[];
  /** A number in [0, 1): Math.random unless a test needs it fixed. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 30_000, statuses: [429, 503], random: Math.random };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** How long to wait before attempt number `attempt + 1` (attempt 0 is the first). */
export function retryDelayMs(attempt: number, retryAfterSec: number | undefined, options: RetryOptions): number {
  if (retryAfterSec !== undefined) {
    const asked = retryAfterSec * 1000;
    // Up to 10% (at most a second) more than asked: never sooner than the server said.
    return Math.round(asked + options.random() * Math.min(1_000, asked * 0.1 + 50));
  }
  // "Equal jitter": half the exponential delay, plus a random part of the other half.
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (options.random() * ceiling) / 2);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A fetch that retries as described above; `fetchImpl` does each attempt. */
export function retryingFetch(fetchImpl: typeof fetch, options: RetryOptions): typeof fetch {
  const retried = (request: Request) =>
    fetchRetry(fetchImpl, {
      retries: Math.max(0, options.attempts - 1),
      retryDelay: 0,
      // Decides, and waits itself (fetch-retry awaits it), so that an abort ends the wait.
      retryOn: async (attempt: number, error: Error | null, response: Response | null) => {
        if (attempt >= options.attempts - 1 || request.signal.aborted) return false;
        let delay: number;
        if (response) {
          if (!options.statuses.includes(response.status)) return false;
          delay = retryDelayMs(attempt, retryAfterSeconds(response.headers.get('retry-after')), options);
          if (delay > options.maxDelayMs) return false;
          // The answer is dropped: free its connection.
          await response.body?.cancel().catch(() => undefined);
        } else {
          if (!error || error.name === 'AbortError' || !(SAFE_METHODS.has(request.method) || request.headers.has('idempotency-key'))) return false;
          delay = retryDelayMs(attempt, undefined, options);
        }
        await sleep(delay, request.signal);
        return true;
      },
    })(request);
  return (input, init) => retried(input instanceof Request && init === undefined ? input : new Request(input, init));
}
