/**
 * The circuit breaker's decision, per provider, from the outcomes one worker process sees: it
 * trips after `consecutiveFailures` transient failures in a row, or when at least `minCalls` calls
 * in the last `windowMs` failed at `errorRatePercent` or more. What happens then is shared (the
 * ProviderRouter writes "open until" to Redis, so every replica stops using the provider, and one
 * replica at a time probes it once the time is up); this class only counts. Pure and clock-driven,
 * so it is unit-tested without timers.
 */
export interface BreakerPolicy {
  consecutiveFailures: number;
  errorRatePercent: number;
  windowMs: number;
  minCalls: number;
  /** How long the breaker stays open before a probe is allowed. */
  openMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { consecutiveFailures: 5, errorRatePercent: 50, windowMs: 30_000, minCalls: 20, openMs: 30_000 };

export class BreakerCounter {
  private consecutive = 0;
  /** Outcomes in the window: [time, failed]. Bounded by the call rate over windowMs. */
  private readonly window: Array<[number, boolean]> = [];

  constructor(private readonly policy: BreakerPolicy) {}

  /** Records one call; true when the breaker should open now. */
  record(failed: boolean, now: number): boolean {
    this.consecutive = failed ? this.consecutive + 1 : 0;
    this.window.push([now, failed]);
    const since = now - this.policy.windowMs;
    let drop = 0;
    while (drop < this.window.length && (this.window[drop]?.[0] ?? 0) < since) drop += 1;
    if (drop > 0) this.window.splice(0, drop);
    if (!failed) return false;
    if (this.consecutive >= this.policy.consecutiveFailures) return true;
    if (this.window.length < this.policy.minCalls) return false;
    const failures = this.window.reduce((n, [, f]) => n + (f ? 1 : 0), 0);
    return (failures * 100) / this.window.length >= this.policy.errorRatePercent;
  }

  /** Starts over (after the breaker opened or closed). */
  reset(): void {
    this.consecutive = 0;
    this.window.length = 0;
  }
}
