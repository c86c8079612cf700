/**
 * Idempotency-Key records in Redis, per API client. A request claims its key as "pending" (with
 * the hash of its body); once Kafka has acknowledged the message the record becomes "done" with
 * the original answer and is kept for the configured TTL (24 hours at least); if the publish
 * fails the claim is released so that a retry can try again. Keys are stored hashed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NorthAccepted } from '@herald/contracts';

export type IdempotencyRecord =
  | { state: 'pending'; bodyHash: string; token: string }
  | { state: 'done'; bodyHash: string; token: string; response: NorthAccepted };

export type BeginResult = { kind: 'claimed'; token: string } | { kind: 'existing'; record: IdempotencyRecord };

export interface IdempotencyStore {
  begin(client: string, key: string, bodyHash: string): Promise<BeginResult>;
  get(client: string, key: string): Promise<IdempotencyRecord | null>;
  complete(client: string, key: string, token: string, bodyHash: string, response: NorthAccepted): Promise<void>;
  release(client: string, key: string, token: string): Promise<void>;
}

const RELEASE = `if redis.call('GET', KEYS[1]) and cjson.decode(redis.call('GET', KEYS[1])).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisIdempotencyStore implements IdempotencyStore {
  /**
   * @param ttlSec how long a finished key is remembered
   * @param pendingTtlSec how long a claim lasts: long enough for one publish (bounded by the send
   *   timeout), short enough that a retry after a crashed request is not kept waiting long
   */
  constructor(
    private readonly redis: Redis,
    private readonly ttlSec: number,
    private readonly prefix = 'herald:idempotency',
    private readonly pendingTtlSec = 15,
  ) {}

  private keyFor(client: string, key: string): string {
    return `${this.prefix}:${client}:${createHash('sha256').update(key).digest('hex')}`;
  }

  async begin(client: string, key: string, bodyHash: string): Promise<BeginResult> {
    const token = randomUUID();
    const record: IdempotencyRecord = { state: 'pending', bodyHash, token };
    const set = await this.redis.set(this.keyFor(client, key), JSON.stringify(record), 'EX', this.pendingTtlSec, 'NX');
    if (set === 'OK') return { kind: 'claimed', token };
    const existing = await this.get(client, key);
    // Gone between SET and GET (a release or an expiry): claim again.
    return existing ? { kind: 'existing', record: existing } : this.begin(client, key, bodyHash);
  }

  async get(client: string, key: string): Promise<IdempotencyRecord | null> {
    const raw = await this.redis.get(this.keyFor(client, key));
    return raw ? (JSON.parse(raw) as IdempotencyRecord) : null;
  }

  async complete(client: string, key: string, token: string, bodyHash: string, response: NorthAccepted): Promise<void> {
    const record: IdempotencyRecord = { state: 'done', bodyHash, token, response };
    await this.redis.set(this.keyFor(client, key), JSON.stringify(record), 'EX', this.ttlSec);
  }

  async release(client: string, key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keyFor(client, key), token);
  }
}

/** A stable hash of a JSON value: object keys sorted, so that key order does not matter. */
export function canonicalHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}
