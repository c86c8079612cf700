/**
 * ProviderRouter: which provider a delivery's next attempt goes to, for a channel with several.
 *
 * - Order and weights: providers are tried in the configured order (failover); with weights, the
 *   available ones share the traffic at random in proportion to their weights.
 * - Circuit breakers: a provider whose breaker is open is skipped until its open time is up; then
 *   one attempt, across every replica, is let through as the probe (half-open): success closes the
 *   breaker, failure opens it again. The breaker's state is shared through the ProviderStatePort
 *   (Redis), so what one replica learns protects all; each replica counts its own outcomes
 *   (BreakerCounter) to decide when to open it.
 * - Failover between attempts: an attempt that failed transiently at a provider makes the next one
 *   prefer another (`avoid`), while the ledger guarantees the rule that matters: a send whose
 *   outcome is unknown is only ever resolved at the provider that held it (deliver() asks that
 *   provider, never another).
 * - Rate limits and throttling: a provider has an optional rate (sends per second for the account,
 *   shared by every replica) and may be paused for the time it asked (a 429). A delivery whose
 *   chosen provider is at its rate or paused waits for it (no attempt spent) rather than spilling
 *   over, because throttling is the provider's capacity, not an outage.
 * - Nothing available (every breaker open): the delivery waits until the first one may be probed.
 */
import type { DeliveryJob } from '@herald/contracts';
import { BreakerCounter, type BreakerPolicy } from './breaker';
import type { DeliveryProvider } from './provider';

/** Shared, per provider: breaker open until, paused until (epoch ms; 0 = not). */
export interface ProviderState {
  openUntil: number;
  pausedUntil: number;
}

export interface ProviderStatePort {
  /** The shared state of a provider (the adapter may cache it briefly). */
  read(provider: string): Promise<ProviderState>;
  /** Opens the breaker until `until` (every replica sees it). */
  open(provider: string, until: number): Promise<void>;
  /** Closes the breaker (a probe succeeded). */
  close(provider: string): Promise<void>;
  /** Pauses a provider that asked for it (429, Retry-After) until `until`. */
  pause(provider: string, until: number): Promise<void>;
  /** Takes the half-open probe of a provider for `ttlMs`: true for exactly one caller across replicas. */
  tryProbe(provider: string, ttlMs: number): Promise<boolean>;
  /** Takes a send from the provider's rate: 0 to go now, else the milliseconds to wait. */
  takeToken(provider: string): Promise<number>;
}

export interface RoutedProvider<J extends DeliveryJob> {
  provider: DeliveryProvider<J>;
  /** Share of the traffic among the available providers (0: used only in failover order). */
  weight: number;
}

export type RouteChoice<J extends DeliveryJob> =
  | { kind: 'provider'; provider: DeliveryProvider<J>; probe: boolean }
  /** No provider can take the attempt now: wait (no attempt spent). */
  | { kind: 'wait'; untilMs: number; reason: string };

export type AttemptResult = 'success' | 'transient' | 'permanent' | 'throttled';

export interface RouterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ProviderRouterOptions<J extends DeliveryJob> {
  providers: ReadonlyArray<RoutedProvider<J>>;
  state: ProviderStatePort;
  breaker: BreakerPolicy;
  log: RouterLog;
  /** Called on every breaker change (for metrics). */
  onBreakerChange?: (provider: string, state: 'open' | 'half-open' | 'closed') => void;
  now?: () => number;
  random?: () => number;
}

export class ProviderRouter<J extends DeliveryJob> {
  private readonly counters = new Map<string, BreakerCounter>();
  private readonly byName = new Map<string, DeliveryProvider<J>>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ProviderRouterOptions<J>) {
    if (options.providers.length === 0) throw new Error('a ProviderRouter needs at least one provider');
    for (const { provider } of options.providers) {
      this.byName.set(provider.name, provider);
      this.counters.set(provider.name, new BreakerCounter(options.breaker));
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  get providers(): ReadonlyArray<DeliveryProvider<J>> {
    return this.options.providers.map((p) => p.provider);
  }

  /** A configured provider by name (the one that holds a send in doubt), if it still is configured. */
  named(name: string): DeliveryProvider<J> | undefined {
    return this.byName.get(name);
  }

  /** The provider for a fresh attempt, preferring another than `avoid` (where the last attempt failed). */
  async choose(avoid?: string): Promise<RouteChoice<J>> {
    const now = this.now();
    const states = await Promise.all(this.options.providers.map(async (p) => ({ ...p, state: await this.options.state.read(p.provider.name) })));
    const closed = states.filter((s) => s.state.openUntil <= 0);
    const reopenable = states.filter((s) => s.state.openUntil > 0 && s.state.openUntil <= now);
    let candidates = closed.length > 1 && avoid ? closed.filter((s) => s.provider.name !== avoid) : closed;
    let probe = false;
    // A provider whose open time is up gets one attempt, across every replica, to see if it is
    // back (half-open): the first caller that takes its probe sends there.
    for (const s of reopenable) {
      if (await this.options.state.tryProbe(s.provider.name, this.options.breaker.openMs)) {
        this.options.log.info({ provider: s.provider.name }, 'circuit breaker half-open: probing the provider');
        this.options.onBreakerChange?.(s.provider.name, 'half-open');
        candidates = [s];
        probe = true;
        break;
      }
    }
    if (candidates.length === 0) {
      const next = Math.min(...states.map((s) => (s.state.openUntil > now ? s.state.openUntil : now + 250)));
      return { kind: 'wait', untilMs: next, reason: 'every provider is unavailable (circuit breakers open)' };
    }
    const chosen = this.pick(candidates);
    if (chosen.state.pausedUntil > now) return { kind: 'wait', untilMs: chosen.state.pausedUntil, reason: `${chosen.provider.name} asked Herald to slow down` };
    const waitMs = await this.options.state.takeToken(chosen.provider.name);
    if (waitMs > 0) return { kind: 'wait', untilMs: now + waitMs, reason: `${chosen.provider.name} is at its rate limit` };
    return { kind: 'provider', provider: chosen.provider, probe };
  }

  /** Weighted random among the candidates when any has a weight, else the first in order. */
  private pick<T extends RoutedProvider<J>>(candidates: readonly T[]): T {
    const total = candidates.reduce((sum, c) => sum + c.weight, 0);
    if (total <= 0) return candidates[0] as T;
    let r = this.random() * total;
    for (const c of candidates) {
      r -= c.weight;
      if (r < 0) return c;
    }
    return candidates[candidates.length - 1] as T;
  }

  /** What an attempt at `provider` came to: feeds its breaker (and its pause for a throttle). */
  async record(provider: string, result: AttemptResult, options: { probe?: boolean; retryAfterMs?: number } = {}): Promise<void> {
    const now = this.now();
    const counter = this.counters.get(provider);
    if (!counter) return;
    if (result === 'throttled') {
      await this.options.state.pause(provider, now + Math.max(250, options.retryAfterMs ?? 1_000));
      this.options.log.warn({ provider, pauseMs: Math.max(250, options.retryAfterMs ?? 1_000) }, 'provider asked Herald to slow down: paused');
      if (options.probe) await this.options.state.close(provider);
      return;
    }
    const failed = result === 'transient';
    if (options.probe) {
      if (failed) {
        await this.options.state.open(provider, now + this.options.breaker.openMs);
        this.options.log.warn({ provider, openMs: this.options.breaker.openMs }, 'circuit breaker probe failed: open again');
        this.options.onBreakerChange?.(provider, 'open');
      } else {
        await this.options.state.close(provider);
        this.options.log.info({ provider }, 'circuit breaker closed: the provider answers again');
        this.options.onBreakerChange?.(provider, 'closed');
      }
      counter.reset();
      return;
    }
    if (counter.record(failed, now)) {
      counter.reset();
      await this.options.state.open(provider, now + this.options.breaker.openMs);
      this.options.log.warn({ provider, openMs: this.options.breaker.openMs }, 'circuit breaker open: moving traffic to the next provider');
      this.options.onBreakerChange?.(provider, 'open');
    }
  }
}
