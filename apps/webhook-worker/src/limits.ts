/**
 * Per-endpoint caps, shared by every webhook-worker through Redis, so that one slow or busy
 * receiver does not hold up the others (BullMQ's own groups are a paid feature):
 * - concurrency: a Redis semaphore per endpoint (redis-semaphore: a sorted set of leases that
 *   expire, refreshed while a call runs, so a worker killed mid-call gives its slot back when its
 *   lease runs out);
 * - rate: calls per second per endpoint (rate-limiter-flexible, as the ingest-api's own limits).
 * A job over a cap is not failed and spends no attempt: the worker moves it to delayed for a
 * short, random while and takes the next job, so the slots of a slow endpoint's jobs go to others.
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Semaphore } from 'redis-semaphore';
import type { Redis } from '@herald/queues';
import type { Logger } from '@herald/runtime';

export type Admission = { kind: 'admitted'; release(): Promise<void> } | { kind: 'wait'; ms: number };

export interface EndpointCapsSettings {
  redis: Redis;
  keyPrefix: string;
  /** Calls in flight per endpoint. */
  concurrency: number;
  /** Calls per second per endpoint; 0: no limit. */
  ratePerSec: number;
  /** Lease of a concurrency slot (longer than a call); refreshed while the call runs. */
  leaseMs: number;
  logger: Logger;
  random?: () => number;
}

export class EndpointCaps {
  private readonly rate: RateLimiterRedis | undefined;
  private readonly random: () => number;

  constructor(private readonly settings: EndpointCapsSettings) {
    this.random = settings.random ?? Math.random;
    this.rate = settings.ratePerSec > 0 ? new RateLimiterRedis({ storeClient: settings.redis, keyPrefix: `${settings.keyPrefix}:webhook-rate`, points: settings.ratePerSec, duration: 1 }) : undefined;
  }

  /** Admits one call to the endpoint, or says how long to wait before trying again. */
  async admit(endpointId: string): Promise<Admission> {
    const slot = new Semaphore(this.settings.redis, `${this.settings.keyPrefix}:webhook-inflight:${endpointId}`, this.settings.concurrency, {
      lockTimeout: this.settings.leaseMs,
      refreshInterval: Math.floor(this.settings.leaseMs / 3),
      acquireAttemptsLimit: 1,
      onLockLost: (error) => this.settings.logger.warn({ err: error, endpointId }, 'webhook concurrency slot lost (Redis unreachable while a call ran)'),
    });
    if (!(await slot.tryAcquire())) return { kind: 'wait', ms: 200 + Math.round(this.random() * 800) };
    if (this.rate) {
      try {
        await this.rate.consume(endpointId, 1);
      } catch (error) {
        await slot.release().catch(() => undefined);
        if (error instanceof RateLimiterRes) return { kind: 'wait', ms: error.msBeforeNext + Math.round(this.random() * 100) };
        throw error;
      }
    }
    return { kind: 'admitted', release: () => slot.release() };
  }
}
