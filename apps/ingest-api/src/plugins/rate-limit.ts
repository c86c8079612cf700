/**
 * Rate limits for /v1, shared by every ingest process and pod through Redis (rate-limiter-flexible,
 * chosen over a bucket of our own: atomic Redis scripts, an in-memory insurance limiter when Redis
 * is away, years of production use). Per API client: a sustained rate (requests per second,
 * RATE_LIMIT_PER_CLIENT or the client's RATE_LIMIT_CLIENTS entry) with a burst allowance on top
 * (RATE_LIMIT_BURST per RATE_LIMIT_BURST_WINDOW_SEC): the library's BurstyRateLimiter, which
 * behaves like a token bucket whose depth is the burst. Plus one global rate for all clients.
 *
 * Over a limit: 429 problem+json with Retry-After. Every /v1 answer carries the RateLimit-Policy
 * and RateLimit fields of draft-ietf-httpapi-ratelimit-headers (quota q per window w seconds;
 * remaining r, seconds to reset t). If Redis does not answer, each process falls back to its own
 * in-memory limits (the same numbers, per process) rather than refusing or letting everything in.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@herald/queues';
import { problems } from '../errors';

export interface RateLimitSettings {
  /** Requests per second per client; 0: no per-client limit. */
  perClient: number;
  burst: number;
  burstWindowSec: number;
  /** Per-client rates overriding perClient. */
  overrides: ReadonlyMap<string, number>;
  /** Requests per second for all clients together; 0: none. */
  global: number;
  keyPrefix: string;
}

/** Parses RATE_LIMIT_CLIENTS ("acme=1000,globex=50"). */
export function parseRateOverrides(spec: string): Map<string, number> {
  return new Map(
    spec
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [name = '', rate = '0'] = pair.split('=');
        return [name, Number(rate)] as const;
      }),
  );
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the client may try again (when refused) or until the window resets. */
  resetSec: number;
  remaining: number;
  headers: Record<string, string>;
}

const toRes = (value: unknown): RateLimiterRes | undefined => (value instanceof RateLimiterRes ? value : undefined);

export class RateLimits {
  private readonly byRate = new Map<number, BurstyRateLimiter>();
  private readonly rateLimiters = new Map<number, RateLimiterRedis>();
  private readonly global: RateLimiterRedis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly settings: RateLimitSettings,
  ) {
    this.global =
      settings.global > 0
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${settings.keyPrefix}:ratelimit:global`,
            points: settings.global,
            duration: 1,
            insuranceLimiter: new RateLimiterMemory({ points: settings.global, duration: 1 }),
          })
        : undefined;
  }

  rateOf(client: string): number {
    return this.settings.overrides.get(client) ?? this.settings.perClient;
  }

  private limiterFor(rate: number): { bursty: BurstyRateLimiter; sustained: RateLimiterRedis } {
    let sustained = this.rateLimiters.get(rate);
    let bursty = this.byRate.get(rate);
    if (!sustained || !bursty) {
      const { keyPrefix, burst, burstWindowSec } = this.settings;
      sustained = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${keyPrefix}:ratelimit:client:${rate}`,
        points: rate,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ points: rate, duration: 1 }),
      });
      const burstLimiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${keyPrefix}:ratelimit:burst:${rate}`,
        points: Math.max(1, burst),
        duration: burstWindowSec,
        insuranceLimiter: new RateLimiterMemory({ points: Math.max(1, burst), duration: burstWindowSec }),
      });
      bursty = new BurstyRateLimiter(sustained, burstLimiter);
      this.rateLimiters.set(rate, sustained);
      this.byRate.set(rate, bursty);
    }
    return { bursty, sustained };
  }

  private policy(rate: number): string {
    const parts = [`"client";q=${rate};w=1`];
    if (this.settings.burst > 0) parts.push(`"burst";q=${this.settings.burst};w=${this.settings.burstWindowSec}`);
    if (this.global) parts.push(`"global";q=${this.settings.global};w=1`);
    return parts.join(', ');
  }

  /** Takes `points` for a request of `client`: allowed, or refused with the time to wait. */
  async take(client: string, points = 1): Promise<RateDecision> {
    const rate = this.rateOf(client);
    let remaining = Number.MAX_SAFE_INTEGER;
    let resetSec = 0;
    let policy = '';
    if (rate > 0) {
      policy = this.policy(rate);
      const { bursty } = this.limiterFor(rate);
      try {
        const res = await bursty.consume(client, points);
        remaining = res.remainingPoints;
        resetSec = Math.ceil(res.msBeforeNext / 1000);
      } catch (error) {
        const refused = toRes(error);
        if (!refused) throw error;
        return this.refuse(refused, policy, 'client');
      }
    }
    if (this.global) {
      try {
        await this.global.consume('all', points);
      } catch (error) {
        const refused = toRes(error);
        if (!refused) throw error;
        return this.refuse(refused, policy || this.policy(0), 'global');
      }
    }
    const headers: Record<string, string> = {};
    if (rate > 0) {
      headers['ratelimit-policy'] = policy;
      headers['ratelimit'] = `"client";r=${Math.max(0, remaining)};t=${Math.max(0, resetSec)}`;
    }
    return { allowed: true, resetSec, remaining, headers };
  }

  /** Charges points after the fact (the answer already went out); never refuses. */
  async charge(client: string, points: number): Promise<void> {
    const rate = this.rateOf(client);
    if (rate <= 0 || points <= 0) return;
    await this.limiterFor(rate).sustained.penalty(client, points).catch(() => undefined);
  }

  private refuse(res: RateLimiterRes, policy: string, scope: 'client' | 'global'): RateDecision {
    const resetSec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return {
      allowed: false,
      resetSec,
      remaining: 0,
      headers: { 'retry-after': String(resetSec), 'ratelimit-policy': policy, ratelimit: `"${scope}";r=0;t=${resetSec}` },
    };
  }
}

/** The onRequest hook of the /v1 scope (after authentication: it needs the client). */
export function rateLimiter(limits: RateLimits): onRequestAsyncHookHandler {
  return async function rateLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const decision = await limits.take(request.client);
    if (!decision.allowed) throw problems.tooManyRequests(decision.resetSec, decision.headers);
    void reply.headers(decision.headers);
  };
}
