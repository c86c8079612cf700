/**
 * Replays and reconciliation: the queries behind POST /v1/replays and the bridge's reconciler.
 *
 * A replay raises a failed delivery's generation and puts it back to "accepted"; it applies only
 * to a delivery that is still failed at the generation the replay saw, so replaying twice, or
 * two replays at once, re-queue a delivery once. The send ledger lets the newer generation claim
 * the delivery again (never one that was sent).
 */
import { Prisma } from './generated/prisma/client';
import type { Channel, NotificationJob } from '@herald/contracts';
import type { PrismaClient } from './prisma';

export interface FailedFilter {
  client: string;
  from?: Date;
  to?: Date;
  channel?: Channel;
  errorCode?: string;
  errorContains?: string;
  messageIds?: string[];
}

export interface FailedDelivery {
  deliveryId: string;
  messageId: string;
  channel: Channel;
  generation: number;
}

/** A delivery with its message's recipient and content, as stored. */
type DeliveryRow = FailedDelivery & { client: string; recipient: NotificationJob['to']; content: { email?: NotificationJob['email']; sms?: NotificationJob['sms'] } };

interface ReplayTarget {
  deliveryId: string;
  /** The generation the replay moves the delivery to (its failed generation + 1). */
  generation: number;
}

function where(filter: FailedFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`d.status = 'failed'`, Prisma.sql`m.client = ${filter.client}`];
  if (filter.from) parts.push(Prisma.sql`d.failed_at >= ${filter.from}`);
  if (filter.to) parts.push(Prisma.sql`d.failed_at < ${filter.to}`);
  if (filter.channel) parts.push(Prisma.sql`d.channel = ${filter.channel}`);
  if (filter.errorCode) parts.push(Prisma.sql`d.last_error_code = ${filter.errorCode}`);
  if (filter.errorContains) parts.push(Prisma.sql`d.last_error ILIKE ${`%${filter.errorContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (filter.messageIds?.length) parts.push(Prisma.sql`d.message_id = ANY(${filter.messageIds}::uuid[])`);
  return Prisma.join(parts, ' AND ');
}

export class ReplayRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async countFailed(filter: FailedFilter): Promise<number> {
    const rows = await this.prisma.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE ${where(filter)}`;
    return Number(rows[0]?.n ?? 0);
  }

  /** Failed deliveries matching the filter, oldest failures first. */
  async findFailed(filter: FailedFilter, limit: number): Promise<FailedDelivery[]> {
    return this.prisma.$queryRaw<FailedDelivery[]>`
      SELECT d.id AS "deliveryId", d.message_id AS "messageId", d.channel, d.generation
      FROM deliveries d JOIN messages m ON m.id = d.message_id
      WHERE ${where(filter)}
      ORDER BY d.failed_at, d.id
      LIMIT ${limit}`;
  }

  /**
   * Applies replays: each target still failed at generation-1 moves to `generation`, status
   * accepted. Returns the notification jobs to queue: for the deliveries moved now, and for those
   * already at the target generation and still accepted (a replay applied before a crash, whose
   * job was not queued yet). `since` starts the age clock of the new generation.
   */
  async applyReplay(targets: readonly ReplayTarget[], since: Date): Promise<NotificationJob[]> {
    if (targets.length === 0) return [];
    const ids = targets.map((t) => t.deliveryId);
    const generations = targets.map((t) => t.generation);
    await this.prisma.$executeRaw`
      UPDATE deliveries AS d SET generation = t.generation, status = 'accepted', status_rank = 0,
             failed_at = NULL, updated_at = now()
      FROM unnest(${ids}::uuid[], ${generations}::int[]) AS t(id, generation)
      WHERE d.id = t.id AND d.status = 'failed' AND d.generation = t.generation - 1`;
    const ready = await this.prisma.$queryRaw<DeliveryRow[]>`
      SELECT d.id AS "deliveryId", d.message_id AS "messageId", d.channel, d.generation, m.client, m.recipient, m.content
      FROM deliveries d JOIN messages m ON m.id = d.message_id
      JOIN unnest(${ids}::uuid[], ${generations}::int[]) AS t(id, generation) ON t.id = d.id
      WHERE d.status = 'accepted' AND d.generation = t.generation`;
    return toJobs(ready, since.toISOString());
  }

  /**
   * Reconciliation: deliveries not final whose last change is older than `staleMs` (their job may
   * have been lost, e.g. with Redis). Marks them as looked at (updated_at) so that the next round
   * moves on; SKIP LOCKED lets several bridges share the work.
   */
  async claimStale(staleMs: number, limit: number): Promise<NotificationJob[]> {
    const rows = await this.prisma.$queryRaw<Array<DeliveryRow & { acceptedAt: Date }>>`
      WITH stale AS (
        SELECT id FROM deliveries
        WHERE status IN ('accepted', 'queued', 'sending') AND updated_at < now() - ${staleMs} * interval '1 millisecond'
        ORDER BY updated_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), touched AS (
        UPDATE deliveries d SET updated_at = now() FROM stale WHERE d.id = stale.id
        RETURNING d.id, d.message_id, d.channel, d.generation
      )
      SELECT t.id AS "deliveryId", t.message_id AS "messageId", t.channel, t.generation,
             m.accepted_at AS "acceptedAt", m.client, m.recipient, m.content
      FROM touched t JOIN messages m ON m.id = t.message_id`;
    // A replayed generation's age counts from when the delivery last changed; a first generation from acceptance.
    return toJobs(rows, (row) => (row.generation === 0 ? row.acceptedAt.toISOString() : new Date().toISOString()));
  }
}

function toJobs<R extends DeliveryRow>(
  rows: readonly R[],
  acceptedAt: string | ((row: R) => string),
): NotificationJob[] {
  const byMessage = new Map<string, NotificationJob>();
  for (const row of rows) {
    const job: NotificationJob = byMessage.get(row.messageId) ?? {
      v: 1,
      messageId: row.messageId,
      acceptedAt: typeof acceptedAt === 'string' ? acceptedAt : acceptedAt(row),
      client: row.client,
      deliveries: [],
      to: row.recipient,
      ...(row.content.email ? { email: row.content.email } : {}),
      ...(row.content.sms ? { sms: row.content.sms } : {}),
    };
    job.deliveries.push({ deliveryId: row.deliveryId, channel: row.channel, generation: row.generation });
    byMessage.set(row.messageId, job);
  }
  return [...byMessage.values()];
}
