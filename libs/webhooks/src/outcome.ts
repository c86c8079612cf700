/**
 * What an endpoint's answer means: any 2xx is success; 410 Gone asks Herald to stop (the endpoint
 * is disabled at once); anything else (another status, a timeout, a refused connection, a refused
 * address) is a failure that is retried on the schedule. An endpoint whose calls have all failed
 * for longer than WEBHOOK_DISABLE_AFTER_MS is disabled, and its owner sees why.
 */
export type CallResult =
  | { kind: 'answered'; status: number; retryAfter: string | null; body: string; durationMs: number }
  | { kind: 'error'; code: string; message: string; durationMs: number };

export type CallVerdict = { kind: 'success' } | { kind: 'gone' } | { kind: 'retry' };

export function judgeCall(result: CallResult): CallVerdict {
  if (result.kind === 'error') return { kind: 'retry' };
  if (result.status >= 200 && result.status < 300) return { kind: 'success' };
  if (result.status === 410) return { kind: 'gone' };
  return { kind: 'retry' };
}

/** The reason shown to an endpoint's owner when Herald disables it. */
export function disabledReason(cause: { gone: true; at: Date } | { failingSince: Date; at: Date }): string {
  if ('gone' in cause) return `Disabled by Herald at ${cause.at.toISOString()}: the endpoint answered 410 Gone.`;
  return `Disabled by Herald at ${cause.at.toISOString()}: every call failed since ${cause.failingSince.toISOString()}.`;
}

/** Whether an endpoint failing since `failingSince` has failed for too long. */
export function failingTooLong(failingSince: Date | null, now: Date, disableAfterMs: number): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= disableAfterMs;
}

/** A one-line description of a failed call, for the attempt record. */
export function describeFailure(result: CallResult): string | null {
  if (result.kind === 'error') return `${result.code}: ${result.message}`.slice(0, 500);
  if (result.status >= 200 && result.status < 300) return null;
  return `HTTP ${result.status}`;
}
