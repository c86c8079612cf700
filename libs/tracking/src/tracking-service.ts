/**
 * TrackingService: the durable record of every message, its deliveries and their history.
 *
 * - recordAccepted: the bridge records messages (and one delivery per channel) as they leave
 *   north-updates; idempotent by message id.
 * - updateStatus: status events from south-updates, applied in batches. History rows are stored
 *   once per event id; delivery rows only move forward (status_rank rises) within their current
 *   generation, so late, repeated or reordered events never take a delivery back.
 * - getMessage: the API view of a message (a delivery whose ledger claim is held shows as sending:
 *   workers record that in the ledger, not as an event).
 */
import {
  CHANNELS,
  deliveryIdFor,
  statusRank,
  type Channel,
  type DeliveryEvent,
  type DeliveryStatus,
  type DeliveryView,
  type HistoryEntry,
  type MessageAcceptedEvent,
  type MessageView,
} from '@herald/contracts';
import type { ReceiptEvent } from '@herald/contracts';
import type { Logger } from '@herald/runtime';
import { Prisma } from './generated/prisma/client';
import { inTransaction, type Database, type PrismaClient, type SqlPool } from './prisma';
import { applyStandaloneOptOuts, applyWaitingReceipts, insertReceipts, isStandaloneOptOut, markRepublished, receiptDeliveryEvent, suppressRefusedRecipients, unpublishedReceipts, type AppliedReceipt } from './receipts';
import { collapseEvents, eventDetail } from './status-batch';

export interface UpdateStatusResult {
  /** History rows written (events seen before are not counted). */
  recorded: number;
  /** Delivery rows touched. */
  updated: number;
  /** Deliveries in the batch left alone: unknown, or the events belong to an older generation. */
  skipped: number;
  /** Provider receipts applied for these sends and not re-published yet (publish them, then markRepublished). */
  derived: RepublishableEvents;
}

/** Delivery events that stand for applied provider receipts, and the receipts to mark once they are published. */
export interface RepublishableEvents {
  events: DeliveryEvent[];
  receiptIds: string[];
}

export interface ApplyReceiptsResult {
  /** Receipts not seen before. */
  stored: number;
  /** Receipts applied to their delivery now (the others wait for their send, or were seen before). */
  applied: number;
  /** The batch's applied receipts not re-published yet, as delivery events (publish them, then markRepublished). */
  derived: RepublishableEvents;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * The batch statements (recordAccepted, updateStatus, applyReceipts) go to the pool straight, in
 * one transaction each: through Prisma's $transaction they cost the bridge more CPU than the
 * statements themselves (a bench profile of the bridge: 14% of its busy time in @prisma/client).
 * Prisma stays for the API's reads.
 */
export class TrackingService {
  private readonly prisma: PrismaClient;
  private readonly sql: SqlPool;

  constructor(
    database: Pick<Database, 'prisma' | 'sql'>,
    private readonly logger: Logger,
  ) {
    this.prisma = database.prisma;
    this.sql = database.sql;
  }

  /** Row counts of statements run in one transaction. */
  private async counts(statements: readonly Prisma.Sql[]): Promise<number[]> {
    const results = await inTransaction(this.sql, statements);
    return results.map((r) => r.rowCount ?? 0);
  }

  /** A cheap round trip for readiness checks. */
  async ping(): Promise<void> {
    await this.sql.query('SELECT 1', []);
  }

  /**
   * Records accepted messages and their deliveries, queued: the bridge adds them to
   * NotificationQueue in the same step (before it commits the Kafka offsets), so the "queued" the
   * router reports later only adds history. Re-recording is a no-op.
   *
   * Raw SQL over unnest() rather than createMany: the bridge records up to NORTH_BATCH_SIZE
   * messages at once, and Prisma 7's query compiler spent about 20 ms of CPU per message building
   * createMany for JSON columns (a profile of the bench's bridge stage: 60% of the process in
   * @prisma/client and its wasm). Two statements in one transaction, as before.
   */
  async recordAccepted(events: readonly MessageAcceptedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const m = <T>(pick: (e: MessageAcceptedEvent) => T) => events.map(pick);
    const json = (value: unknown) => JSON.stringify(value);
    const deliveries = events.flatMap((e) => e.request.channels.map((channel) => ({ id: deliveryIdFor(e.messageId, channel), messageId: e.messageId, channel, at: e.acceptedAt })));
    const d = <T>(pick: (x: (typeof deliveries)[number]) => T) => deliveries.map(pick);
    await this.counts([
      Prisma.sql`
        INSERT INTO messages (id, client, idempotency_key, accepted_at, channels, recipient, content, metadata)
        SELECT m.id, m.client, m.idempotency_key, m.accepted_at, string_to_array(m.channels, ','), m.recipient::jsonb, m.content::jsonb, m.metadata::jsonb
        FROM unnest(
          ${m((e) => e.messageId)}::uuid[], ${m((e) => e.client)}::text[], ${m((e) => e.idempotencyKey ?? null)}::text[],
          ${m((e) => new Date(e.acceptedAt))}::timestamptz[], ${m((e) => e.request.channels.join(','))}::text[],
          ${m((e) => json(e.request.to))}::text[],
          ${m((e) => json({ ...(e.request.email ? { email: e.request.email } : {}), ...(e.request.sms ? { sms: e.request.sms } : {}) }))}::text[],
          ${m((e) => json(e.request.metadata ?? {}))}::text[]
        ) AS m(id, client, idempotency_key, accepted_at, channels, recipient, content, metadata)
        ON CONFLICT DO NOTHING`,
      Prisma.sql`
        INSERT INTO deliveries (id, message_id, channel, status, status_rank, created_at, updated_at, queued_at)
        SELECT d.id, d.message_id, d.channel, 'queued', ${statusRank('queued')}, d.at, d.at, now()
        FROM unnest(${d((x) => x.id)}::uuid[], ${d((x) => x.messageId)}::uuid[], ${d((x) => x.channel)}::text[], ${d((x) => new Date(x.at))}::timestamptz[])
          AS d(id, message_id, channel, at)
        ON CONFLICT DO NOTHING`,
    ]);
  }

  /** Applies a batch of status events (see the class comment for the rules). */
  async updateStatus(events: readonly DeliveryEvent[]): Promise<UpdateStatusResult> {
    if (events.length === 0) return { recorded: 0, updated: 0, skipped: 0, derived: { events: [], receiptIds: [] } };
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    const updates = collapseEvents(unique);
    const col = <T>(pick: (e: DeliveryEvent) => T) => unique.map(pick);
    const u = <K extends keyof (typeof updates)[number]>(key: K) => updates.map((x) => x[key]);

    // Receipts that came before their send was recorded: applied in the same transaction, once the
    // deliveries carry the provider ids of this batch.
    const sentIds = [...new Set(unique.flatMap((e) => (e.type === 'sent' && e.providerMessageId ? [e.providerMessageId] : [])))];
    // Sends the provider refused because the recipient opted out or does not exist: suppressed.
    const refused = unique.filter((e) => e.type === 'failed' && e.error?.suppress);
    const [recorded = 0, updated = 0] = await this.counts([
      Prisma.sql`
        INSERT INTO delivery_events (id, delivery_id, message_id, channel, type, generation, attempt, at, detail, provider_message_id)
        SELECT e.id, e.delivery_id, e.message_id, e.channel, e.type, e.generation, e.attempt, e.at, e.detail, e.provider_message_id
        FROM unnest(
          ${col((e) => e.eventId)}::text[], ${col((e) => e.deliveryId)}::uuid[], ${col((e) => e.messageId)}::uuid[],
          ${col((e) => e.channel)}::text[], ${col((e) => e.type)}::text[], ${col((e) => e.generation)}::int[],
          ${col((e) => e.attempt)}::int[], ${col((e) => e.at)}::timestamptz[], ${col(eventDetail)}::text[],
          ${col((e) => e.providerMessageId ?? null)}::text[]
        ) AS e(id, delivery_id, message_id, channel, type, generation, attempt, at, detail, provider_message_id)
        WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.id = e.delivery_id)
        ON CONFLICT (id) DO NOTHING`,
      Prisma.sql`
        UPDATE deliveries AS d SET
          status = CASE WHEN u.status IS NOT NULL AND u.rank > d.status_rank THEN u.status ELSE d.status END,
          status_rank = GREATEST(d.status_rank, u.rank),
          attempts = GREATEST(d.attempts, u.attempts),
          provider_message_id = COALESCE(u.provider_message_id, d.provider_message_id),
          provider = COALESCE(u.provider, d.provider),
          last_error = COALESCE(u.last_error, d.last_error),
          last_error_code = COALESCE(u.last_error_code, d.last_error_code),
          queued_at = COALESCE(d.queued_at, u.queued_at),
          sent_at = COALESCE(d.sent_at, u.sent_at),
          delivered_at = CASE WHEN u.status = 'delivered' AND u.rank > d.status_rank THEN u.delivered_at ELSE d.delivered_at END,
          failed_at = CASE WHEN u.status = 'failed' AND u.rank > d.status_rank THEN u.failed_at ELSE d.failed_at END,
          updated_at = now()
        FROM unnest(
          ${u('deliveryId')}::uuid[], ${u('generation')}::int[], ${u('status')}::text[], ${u('rank')}::int[],
          ${u('attempts')}::int[], ${u('providerMessageId')}::text[], ${u('provider')}::text[], ${u('lastError')}::text[], ${u('lastErrorCode')}::text[],
          ${u('queuedAt')}::timestamptz[], ${u('sentAt')}::timestamptz[], ${u('deliveredAt')}::timestamptz[], ${u('failedAt')}::timestamptz[]
        ) AS u(id, generation, status, rank, attempts, provider_message_id, provider, last_error, last_error_code, queued_at, sent_at, delivered_at, failed_at)
        WHERE d.id = u.id AND d.generation = u.generation
          -- Only rows the batch changes: a repeated or already-known fact rewrites nothing.
          AND (u.rank > d.status_rank OR u.attempts > d.attempts
               OR (u.provider_message_id IS NOT NULL AND u.provider_message_id IS DISTINCT FROM d.provider_message_id)
               OR (u.last_error IS NOT NULL AND u.last_error IS DISTINCT FROM d.last_error))`,
      ...(refused.length ? [suppressRefusedRecipients(refused)] : []),
      ...(sentIds.length ? [applyWaitingReceipts(sentIds)] : []),
    ]);
    const skipped = updates.length - updated;
    if (skipped > 0) this.logger.debug({ skipped }, 'status events skipped: unknown delivery or older generation');
    return { recorded, updated, skipped, derived: sentIds.length ? await this.unpublished({ providerMessageIds: sentIds }) : { events: [], receiptIds: [] } };
  }

  /**
   * Stores provider receipts (each once) and applies those whose delivery is known to be sent
   * (see receipts.ts); the others wait for their send to be recorded. Returns how many were new
   * and how many were applied now.
   */
  async applyReceipts(receipts: readonly ReceiptEvent[]): Promise<ApplyReceiptsResult> {
    if (receipts.length === 0) return { stored: 0, applied: 0, derived: { events: [], receiptIds: [] } };
    const unique = [...new Map(receipts.map((r) => [r.receiptId, r])).values()];
    const standalone = unique.filter(isStandaloneOptOut);
    const ids = [...new Set(unique.filter((r) => !isStandaloneOptOut(r)).map((r) => r.providerMessageId))];
    const [stored = 0, ...rest] = await this.counts([
      insertReceipts(unique),
      ...(standalone.length ? [applyStandaloneOptOuts(standalone)] : []),
      ...(ids.length ? [applyWaitingReceipts(ids)] : []),
    ]);
    const applied = rest.reduce((a, b) => a + b, 0);
    return { stored, applied, derived: await this.unpublished({ receiptIds: unique.map((r) => r.receiptId) }) };
  }

  /** Applied receipts whose delivery events are not on south-updates yet (an outbox), as events. */
  private async unpublished(filter: { receiptIds?: readonly string[]; providerMessageIds?: readonly string[] }): Promise<RepublishableEvents> {
    const statement = unpublishedReceipts(filter);
    const { rows } = await this.sql.query<AppliedReceipt>(statement.text, statement.values);
    return { events: rows.map(receiptDeliveryEvent), receiptIds: rows.map((r) => r.receiptId) };
  }

  /** Records that these receipts' delivery events are on south-updates. */
  async markRepublished(receiptIds: readonly string[]): Promise<void> {
    if (receiptIds.length) {
      const statement = markRepublished(receiptIds);
      await this.sql.query(statement.text, statement.values);
    }
  }

  /** The API view of a message, or null when the id is unknown (or belongs to another client). */
  async getMessage(id: string, client?: string): Promise<MessageView | null> {
    const message = await this.prisma.message.findUnique({
      where: { id },
      include: { deliveries: { include: { ledger: { select: { state: true, generation: true } } } } },
    });
    if (!message || (client !== undefined && message.client !== client)) return null;
    const events = await this.prisma.deliveryEvent.findMany({
      where: { messageId: id },
      orderBy: [{ at: 'asc' }, { recordedAt: 'asc' }],
      take: 1_000,
    });
    const order = (c: string) => CHANNELS.indexOf(c as Channel);
    const deliveries: DeliveryView[] = [...message.deliveries]
      .sort((a, b) => order(a.channel) - order(b.channel))
      .map((d) => ({
        id: d.id,
        channel: d.channel as Channel,
        // "sending" is the ledger's: a worker holds the claim of this generation right now.
        status: statusRank(d.status as DeliveryStatus) < statusRank('sending') && d.ledger?.state === 'claimed' && d.ledger.generation === d.generation ? 'sending' : (d.status as DeliveryStatus),
        attempts: d.attempts,
        generation: d.generation,
        providerMessageId: d.providerMessageId,
        provider: d.provider,
        lastError: d.lastError,
        createdAt: d.createdAt.toISOString(),
        updatedAt: d.updatedAt.toISOString(),
        queuedAt: iso(d.queuedAt),
        sentAt: iso(d.sentAt),
        deliveredAt: iso(d.deliveredAt),
        failedAt: iso(d.failedAt),
      }));
    const history: HistoryEntry[] = events.map((e) => ({
      at: e.at.toISOString(),
      deliveryId: e.deliveryId,
      channel: e.channel as Channel,
      type: e.type as HistoryEntry['type'],
      attempt: e.attempt,
      generation: e.generation,
      detail: e.detail,
    }));
    return {
      id: message.id,
      acceptedAt: message.acceptedAt.toISOString(),
      channels: message.channels as Channel[],
      to: message.recipient as MessageView['to'],
      metadata: message.metadata as MessageView['metadata'],
      deliveries,
      history,
    };
  }
}
