/**
 * The suppression list, per API client and channel: recipients Herald does not send to. Provider
 * receipts add hard bounces, complaints and opt-outs (receipts.ts); clients list, look up, add
 * and remove entries through the API. Entries of the client "*" apply to every client (an opt-out
 * a provider reported without a delivery, e.g. STOP to a shared sender number): lookups and the
 * ledger honour them, and no client can remove them. Workers do not read it here: the send ledger checks it in
 * the same statement as the claim (send-ledger.ts), so a suppressed recipient costs no extra
 * round trip and is never claimed.
 */
import { HeraldError } from '@herald/errors';
import { suppressionAddress, type Channel } from '@herald/contracts';
import type { PrismaClient } from './prisma';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'opt_out', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface SuppressionRecord {
  channel: Channel;
  address: string;
  reason: SuppressionReason;
  source: string | null;
  detail: string | null;
  createdAt: Date;
  /** Applies to every client of the deployment (an opt-out from a shared sender); a client cannot remove it. */
  everyClient: boolean;
}

export interface SuppressionPage {
  items: SuppressionRecord[];
  /** Give it back as `after` for the next page; null on the last page. */
  next: string | null;
}

interface Row {
  every_client?: boolean;
  channel: string;
  address: string;
  reason: string;
  source: string | null;
  detail: string | null;
  created_at: Date;
}

const toRecord = (r: Row): SuppressionRecord => ({
  channel: r.channel as Channel,
  address: r.address,
  reason: r.reason as SuppressionReason,
  source: r.source,
  detail: r.detail,
  createdAt: r.created_at,
  everyClient: r.every_client === true,
});

export class SuppressionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** A page of a client's suppressions, by channel then address (keyset pagination: stable under inserts). */
  async list(client: string, options: { channel?: Channel; after?: string; limit: number }): Promise<SuppressionPage> {
    const [afterChannel = '', afterAddress = ''] = options.after ? decodeCursor(options.after) : [];
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT channel, address, reason, source, detail, created_at FROM suppressions
      WHERE client = ${client}
        AND (${options.channel ?? null}::text IS NULL OR channel = ${options.channel ?? null})
        AND (channel, address) > (${afterChannel}, ${afterAddress})
      ORDER BY channel, address
      LIMIT ${options.limit + 1}`;
    const items = rows.slice(0, options.limit).map(toRecord);
    const last = items.at(-1);
    return { items, next: rows.length > options.limit && last ? encodeCursor(last.channel, last.address) : null };
  }

  /** The suppression that stops sends to this recipient for this client: the client's own, or one for every client (an opt-out reported without a delivery). */
  async get(client: string, channel: Channel, address: string): Promise<SuppressionRecord | null> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT channel, address, reason, source, detail, created_at, client = '*' AS every_client FROM suppressions
      WHERE client IN (${client}, '*') AND channel = ${channel} AND address = ${suppressionAddress(channel, address)}
      ORDER BY client = '*'`;
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Adds (or keeps) a suppression; returns the entry and whether it is new. */
  async add(client: string, channel: Channel, address: string, reason: SuppressionReason, detail: string | null): Promise<{ record: SuppressionRecord; created: boolean }> {
    const normalized = suppressionAddress(channel, address);
    const inserted = await this.prisma.$queryRaw<Row[]>`
      INSERT INTO suppressions (client, channel, address, reason, source, detail)
      VALUES (${client}, ${channel}, ${normalized}, ${reason}, 'api', ${detail})
      ON CONFLICT DO NOTHING
      RETURNING channel, address, reason, source, detail, created_at`;
    if (inserted[0]) return { record: toRecord(inserted[0]), created: true };
    const existing = await this.get(client, channel, normalized);
    if (!existing) throw new Error('suppression vanished between insert and read');
    return { record: existing, created: false };
  }

  /** Removes a suppression (the recipient may be sent to again); false when there was none. */
  async remove(client: string, channel: Channel, address: string): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      DELETE FROM suppressions WHERE client = ${client} AND channel = ${channel} AND address = ${suppressionAddress(channel, address)}`;
    return n > 0;
  }
}

function encodeCursor(channel: string, address: string): string {
  return Buffer.from(JSON.stringify([channel, address])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** The `after` cursor was not one this API gave out. */
export class InvalidCursorError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_TRACKING_INVALID_CURSOR';
  constructor() {
    super('invalid pagination cursor');
  }
}
