/**
 * The providers' shared state in Redis, for every replica of a channel worker (the
 * ProviderStatePort of libs/delivery's router):
 *   <prefix>:providers:<channel>:<provider>:open    breaker open until (epoch ms), kept a while
 *                                                   past it so that one replica probes (half-open)
 *   <prefix>:providers:<channel>:<provider>:probe   the half-open probe (SET NX PX: one replica)
 *   <prefix>:providers:<channel>:<provider>:pause   paused until (epoch ms) after a 429
 * plus a rate limit per provider (sends per second for the account, rate-limiter-flexible's
 * atomic Redis counter, with a per-process fallback when Redis is away). Reads are cached for
 * `cacheMs`, so the hot path costs one round trip per provider per cacheMs, not per delivery.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface ProviderStateSettings {
  prefix: string;
  channel: string;
  /** Sends per second per provider account (absent: no limit). */
  rates: ReadonlyMap<string, number>;
  cacheMs: number;
  /** How long a breaker stays open (the key outlives openUntil by this much, for the probe). */
  openMs: number;
}

interface Cached {
  openUntil: number;
  pausedUntil: number;
  readAt: number;
}

export class RedisProviderState {
  private readonly cache = new Map<string, Cached>();
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly settings: ProviderStateSettings,
  ) {
    for (const [provider, rate] of settings.rates) {
      if (rate <= 0) continue;
      this.limiters.set(
        provider,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${this.base(provider)}:rate`,
          points: rate,
          duration: 1,
          insuranceLimiter: new RateLimiterMemory({ points: rate, duration: 1 }),
        }),
      );
    }
  }

  private base(provider: string): string {
    return `${this.settings.prefix}:providers:${this.settings.channel}:${provider}`;
  }

  async read(provider: string): Promise<{ openUntil: number; pausedUntil: number }> {
    const now = Date.now();
    const cached = this.cache.get(provider);
    if (cached && now - cached.readAt < this.settings.cacheMs) return cached;
    const [open, pause] = await this.redis.mget(`${this.base(provider)}:open`, `${this.base(provider)}:pause`);
    const fresh = { openUntil: Number(open ?? 0) || 0, pausedUntil: Number(pause ?? 0) || 0, readAt: now };
    this.cache.set(provider, fresh);
    return fresh;
  }

  async open(provider: string, until: number): Promise<void> {
    const ttl = Math.max(1, until - Date.now() + this.settings.openMs);
    await this.redis.multi().set(`${this.base(provider)}:open`, String(until), 'PX', ttl).del(`${this.base(provider)}:probe`).exec();
    this.remember(provider, { openUntil: until });
  }

  async close(provider: string): Promise<void> {
    await this.redis.del(`${this.base(provider)}:open`, `${this.base(provider)}:probe`);
    this.remember(provider, { openUntil: 0 });
  }

  async pause(provider: string, until: number): Promise<void> {
    const ttl = Math.max(1, until - Date.now());
    // Only ever extends a pause (two replicas throttled at once keep the later one).
    const current = Number((await this.redis.get(`${this.base(provider)}:pause`)) ?? 0);
    if (current < until) await this.redis.set(`${this.base(provider)}:pause`, String(until), 'PX', ttl);
    this.remember(provider, { pausedUntil: Math.max(current, until) });
  }

  async tryProbe(provider: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.base(provider)}:probe`, String(process.pid), 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async takeToken(provider: string): Promise<number> {
    const limiter = this.limiters.get(provider);
    if (!limiter) return 0;
    try {
      await limiter.consume('sends');
      return 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
      throw error;
    }
  }

  private remember(provider: string, change: Partial<Cached>): void {
    const current = this.cache.get(provider) ?? { openUntil: 0, pausedUntil: 0, readAt: 0 };
    this.cache.set(provider, { ...current, ...change, readAt: Date.now() });
  }
}
