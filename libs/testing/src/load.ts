/**
 * A client that behaves as Herald asks clients to: every message carries its own Idempotency-Key,
 * and a request that fails for a transient reason (a dropped connection, 503, 409, any 5xx) is
 * retried with the same key and body until it is answered 202 or a deadline passes. Sends at a
 * fixed rate with a cap on requests in flight, and counts everything.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { NorthAccepted, NorthRequest } from '@herald/contracts';

export interface LoadOptions {
  url: string;
  count: number;
  ratePerSec: number;
  body: (index: number) => NorthRequest;
  keyPrefix: string;
  /** How long one message may keep being retried. */
  retryForMs?: number;
  maxInFlight?: number;
  headers?: Record<string, string>;
  /** Called once per message accepted (e.g. to start chaos after the first few). */
  onAccepted?: (acceptedSoFar: number) => void;
}

export interface LoadResult {
  /** Idempotency-Key -> message id, for every message answered 202. */
  accepted: Map<string, string>;
  /** Keys never answered 202 within the retry window. */
  gaveUp: string[];
  /** Keys refused with a 4xx other than 409 (a client bug: never expected here). */
  refused: Array<{ key: string; status: number; body: string }>;
  requests: number;
  statuses: Record<string, number>;
  durationMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { count, ratePerSec, retryForMs = 120_000, maxInFlight = 200 } = options;
  const result: LoadResult = { accepted: new Map(), gaveUp: [], refused: [], requests: 0, statuses: {}, durationMs: 0 };
  const count1 = (k: string) => (result.statuses[k] = (result.statuses[k] ?? 0) + 1);
  const started = Date.now();
  let inFlight = 0;

  const one = async (index: number) => {
    const key = `${options.keyPrefix}-${index}`;
    const body = JSON.stringify(options.body(index));
    const deadline = Date.now() + retryForMs;
    for (let attempt = 0; ; attempt += 1) {
      result.requests += 1;
      let status = 0;
      let text = '';
      try {
        const response = await fetch(`${options.url}/v1/North`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, ...options.headers },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        status = response.status;
        text = await response.text();
      } catch {
        status = 0;
      }
      count1(status === 0 ? 'network' : String(status));
      if (status === 202) {
        result.accepted.set(key, (JSON.parse(text) as NorthAccepted).id);
        options.onAccepted?.(result.accepted.size);
        return;
      }
      if (status >= 400 && status < 500 && status !== 409) {
        result.refused.push({ key, status, body: text.slice(0, 300) });
        return;
      }
      if (Date.now() > deadline) {
        result.gaveUp.push(key);
        return;
      }
      await delay(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
    }
  };

  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / ratePerSec;
    if (due > Date.now()) await delay(due - Date.now());
    while (inFlight >= maxInFlight) await delay(5);
    inFlight += 1;
    pending.push(one(i).finally(() => (inFlight -= 1)));
  }
  await Promise.all(pending);
  result.durationMs = Date.now() - started;
  return result;
}
