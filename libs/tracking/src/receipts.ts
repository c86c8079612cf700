/**
 * Provider receipts in tracking: stored once each (the receipt id), then applied to their
 * delivery when the delivery is known to have been sent with that provider message id:
 *
 * - delivered -> status delivered; bounced / undelivered / rejected -> status failed with the
 *   receipt's code and safe summary; both only forward (a delivery already delivered or failed
 *   stays so), within the delivery's current generation;
 * - complained, opted_out, deferred: a history entry, no status change;
 * - hard bounces, complaints and opt-outs put the recipient on the client's suppression list.
 *
 * A receipt that arrives before Herald recorded the send (fast providers do that) waits in
 * provider_receipts with applied_at null; TrackingService.updateStatus applies waiting receipts
 * for the provider ids of every "sent" it records. A repeated receipt is a no-op (its id exists),
 * and a late one changes nothing (forward only).
 *
 * Each step is one statement for the whole batch; the caller runs them in one transaction.
 */
import { makeDeliveryEvent, statusRank, suppresses, type Channel, type DeliveryEvent, type ReceiptEvent } from '@herald/contracts';
import { Prisma } from './generated/prisma/client';

const FAILURE_OUTCOMES = ['bounced', 'undelivered', 'rejected'];

/** The suppression reason a receipt gives, if any. */
export function suppressionReason(receipt: Pick<ReceiptEvent, 'outcome' | 'permanent'>): string | null {
  if (!suppresses(receipt)) return null;
  return receipt.outcome === 'complained' ? 'complaint' : receipt.outcome === 'opted_out' ? 'opt_out' : 'hard_bounce';
}

/**
 * The client of a suppression that applies to every client: an opt-out a provider reports
 * without a delivery (an inbound STOP to a sender number that the whole deployment shares). Such
 * an opt-out binds every client that sends from that number; clients cannot remove it.
 */
export const EVERY_CLIENT = '*';

/** Receipts that are an opt-out reported on its own (no delivery to match): they suppress for every client at once. */
export function isStandaloneOptOut(receipt: ReceiptEvent): boolean {
  return receipt.outcome === 'opted_out' && !receipt.deliveryId && !receipt.messageId && Boolean(receipt.recipient);
}

/** Suppresses the recipients of standalone opt-outs for every client and marks those receipts applied. */
export function applyStandaloneOptOuts(receipts: readonly ReceiptEvent[]): Prisma.Sql {
  const col = <T>(pick: (r: ReceiptEvent) => T) => receipts.map(pick);
  return Prisma.sql`
    WITH r AS (
      SELECT * FROM unnest(${col((x) => x.receiptId)}::text[], ${col((x) => x.channel)}::text[], ${col((x) => x.recipient ?? '')}::text[], ${col((x) => x.provider)}::text[], ${col((x) => x.summary ?? null)}::text[])
        AS r(id, channel, address, provider, summary)
    ), suppressed AS (
      INSERT INTO suppressions (client, channel, address, reason, source, detail)
      SELECT ${EVERY_CLIENT}, channel, CASE WHEN channel = 'email' THEN lower(address) ELSE address END, 'opt_out', provider || ' receipt ' || id, summary FROM r
      ON CONFLICT DO NOTHING
    )
    UPDATE provider_receipts p SET applied_at = now() FROM r WHERE p.id = r.id AND p.applied_at IS NULL`;
}

/** Stores receipts not seen before. */
export function insertReceipts(receipts: readonly ReceiptEvent[]): Prisma.Sql {
  const col = <T>(pick: (r: ReceiptEvent) => T) => receipts.map(pick);
  return Prisma.sql`
    INSERT INTO provider_receipts (id, provider, channel, provider_message_id, delivery_id, outcome, permanent, reason_code, summary, recipient, at)
    SELECT r.id, r.provider, r.channel, r.provider_message_id, r.delivery_id, r.outcome, r.permanent, r.reason_code, r.summary, r.recipient, r.at
    FROM unnest(
      ${col((r) => r.receiptId)}::text[], ${col((r) => r.provider)}::text[], ${col((r) => r.channel)}::text[],
      ${col((r) => r.providerMessageId)}::text[], ${col((r) => r.deliveryId ?? null)}::uuid[], ${col((r) => r.outcome)}::text[],
      ${col((r) => r.permanent)}::boolean[], ${col((r) => r.reasonCode ?? null)}::text[], ${col((r) => r.summary ?? null)}::text[],
      ${col((r) => r.recipient ?? null)}::text[], ${col((r) => new Date(r.at))}::timestamptz[]
    ) AS r(id, provider, channel, provider_message_id, delivery_id, outcome, permanent, reason_code, summary, recipient, at)
    ON CONFLICT (id) DO NOTHING`;
}

/**
 * Applies the waiting receipts for these provider message ids whose delivery has been recorded as
 * sent with that id (and by that provider, where known): status, history, suppressions, and marks
 * them applied. One statement; rows locked so two bridges never apply one receipt twice.
 */
export function applyWaitingReceipts(providerMessageIds: readonly string[]): Prisma.Sql {
  const rank = statusRank('delivered');
  return Prisma.sql`
    WITH matched AS (
      SELECT r.id AS receipt_id, r.provider, r.outcome, r.permanent, r.reason_code, r.summary, r.recipient, r.at,
             d.id AS delivery_id, d.message_id, d.channel, d.generation, d.attempts, m.client, m.recipient AS message_recipient
      FROM provider_receipts r
      JOIN deliveries d ON d.provider_message_id = r.provider_message_id
                       AND (r.delivery_id IS NULL OR r.delivery_id = d.id)
                       AND (d.provider IS NULL OR d.provider = r.provider)
                       AND d.channel = r.channel
      JOIN messages m ON m.id = d.message_id
      WHERE r.applied_at IS NULL AND r.provider_message_id = ANY(${[...providerMessageIds]}::text[])
      FOR UPDATE OF r SKIP LOCKED
    ), final AS (
      -- The first status-changing receipt of each delivery (delivered, or a failure) decides.
      SELECT DISTINCT ON (delivery_id) delivery_id, generation, outcome, reason_code, summary, at
      FROM matched
      WHERE outcome = 'delivered' OR outcome = ANY(${FAILURE_OUTCOMES}::text[])
      ORDER BY delivery_id, at, receipt_id
    ), moved AS (
      UPDATE deliveries d SET
        status = CASE WHEN f.outcome = 'delivered' THEN 'delivered' ELSE 'failed' END,
        status_rank = ${rank},
        delivered_at = CASE WHEN f.outcome = 'delivered' THEN f.at ELSE d.delivered_at END,
        failed_at = CASE WHEN f.outcome = 'delivered' THEN d.failed_at ELSE f.at END,
        last_error = CASE WHEN f.outcome = 'delivered' THEN d.last_error ELSE f.summary END,
        last_error_code = CASE WHEN f.outcome = 'delivered' THEN d.last_error_code ELSE f.reason_code END,
        updated_at = now()
      FROM final f
      WHERE d.id = f.delivery_id AND d.generation = f.generation AND d.status_rank < ${rank}
      RETURNING d.id
    ), typed AS (
      SELECT m.*, CASE WHEN m.outcome = 'delivered' THEN 'delivered' WHEN m.outcome = ANY(${FAILURE_OUTCOMES}::text[]) THEN 'failed' ELSE m.outcome END AS event_type
      FROM matched m
    ), history AS (
      -- The history row has the id of the delivery event re-published for it (deliveryEventId), so
      -- that applying that event again is a no-op.
      INSERT INTO delivery_events (id, delivery_id, message_id, channel, type, generation, attempt, at, detail, provider_message_id)
      SELECT t.delivery_id || '.' || t.generation || '.' || t.attempts || '.' || t.event_type, t.delivery_id, t.message_id, t.channel, t.event_type,
             t.generation, t.attempts, t.at,
             concat_ws(': ', coalesce(t.reason_code, upper(t.outcome)), coalesce(t.summary, t.outcome)) || ' (reported by ' || t.provider || ')',
             NULL
      FROM typed t
      ON CONFLICT (id) DO NOTHING
    ), suppressed AS (
      INSERT INTO suppressions (client, channel, address, reason, source, detail)
      SELECT DISTINCT ON (m.client, m.channel, address) m.client, m.channel, address,
             CASE WHEN m.outcome = 'complained' THEN 'complaint' WHEN m.outcome = 'opted_out' THEN 'opt_out' ELSE 'hard_bounce' END,
             m.provider || ' receipt ' || m.receipt_id, m.summary
      FROM (
        SELECT mm.*, CASE WHEN mm.channel = 'email' THEN lower(coalesce(mm.recipient, mm.message_recipient->>'email'))
                          ELSE coalesce(mm.recipient, mm.message_recipient->>'phone') END AS address
        FROM matched mm
        WHERE mm.outcome IN ('complained', 'opted_out') OR (mm.outcome = 'bounced' AND mm.permanent)
      ) m
      WHERE address IS NOT NULL
      ON CONFLICT DO NOTHING
    )
    UPDATE provider_receipts r SET applied_at = now(), delivery_id = t.delivery_id
    FROM typed t WHERE r.id = t.receipt_id`;
}

/**
 * Applied receipts whose delivery event has not been re-published yet (the outbox), among these
 * receipts or provider message ids: what the south consumer publishes, then marks republished.
 * A crash in between publishes them again with the same event ids (harmless downstream).
 */
export function unpublishedReceipts(filter: { receiptIds?: readonly string[]; providerMessageIds?: readonly string[] }): Prisma.Sql {
  return Prisma.sql`
    SELECT r.id AS "receiptId", d.id AS "deliveryId", d.message_id AS "messageId", d.channel, d.generation, d.attempts AS attempt,
           CASE WHEN r.outcome = 'delivered' THEN 'delivered' WHEN r.outcome = ANY(${FAILURE_OUTCOMES}::text[]) THEN 'failed' ELSE r.outcome END AS type,
           r.outcome, r.permanent, r.reason_code AS "reasonCode", r.summary, r.at, r.provider, r.provider_message_id AS "providerMessageId"
    FROM provider_receipts r JOIN deliveries d ON d.id = r.delivery_id
    WHERE r.applied_at IS NOT NULL AND r.republished_at IS NULL
      AND (r.id = ANY(${[...(filter.receiptIds ?? [])]}::text[]) OR r.provider_message_id = ANY(${[...(filter.providerMessageIds ?? [])]}::text[]))
    ORDER BY r.at, r.id`;
}

export function markRepublished(receiptIds: readonly string[]): Prisma.Sql {
  return Prisma.sql`UPDATE provider_receipts SET republished_at = now() WHERE id = ANY(${[...receiptIds]}::text[]) AND republished_at IS NULL`;
}

/** A receipt as applied to its delivery (what applyWaitingReceipts returns). */
export interface AppliedReceipt {
  /** The receipt (mark it republished once its delivery event is on south-updates). */
  receiptId: string;
  deliveryId: string;
  messageId: string;
  channel: Channel;
  generation: number;
  attempt: number;
  type: 'delivered' | 'failed' | 'deferred' | 'complained' | 'opted_out';
  outcome: ReceiptEvent['outcome'];
  permanent: boolean;
  reasonCode: string | null;
  summary: string | null;
  at: Date;
  provider: string;
  providerMessageId: string;
}

/**
 * The delivery event an applied receipt stands for, re-published on south-updates so that every
 * status change (and note) of a delivery reaches its consumers (the webhook-worker) as a
 * DeliveryEvent. Its id is the history row's: applying it to tracking again changes nothing.
 */
export function receiptDeliveryEvent(r: AppliedReceipt): DeliveryEvent {
  return makeDeliveryEvent({
    messageId: r.messageId,
    deliveryId: r.deliveryId,
    channel: r.channel,
    type: r.type,
    generation: r.generation,
    attempt: r.attempt,
    at: r.at,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    ...(r.type === 'failed' ? { error: { code: r.reasonCode ?? `RECEIPT_${r.outcome.toUpperCase()}`, message: r.summary ?? `the provider reported the message ${r.outcome}`, permanent: r.permanent } } : {}),
  });
}

/** Suppresses, for the message's client, the recipients of failed sends the provider refused for good (error.suppress). */
export function suppressRefusedRecipients(events: readonly DeliveryEvent[]): Prisma.Sql {
  const col = <T>(pick: (e: DeliveryEvent) => T) => events.map(pick);
  return Prisma.sql`
    INSERT INTO suppressions (client, channel, address, reason, source, detail)
    SELECT DISTINCT ON (m.client, e.channel, address) m.client, e.channel,
           CASE WHEN e.channel = 'email' THEN lower(m.recipient->>'email') ELSE m.recipient->>'phone' END AS address,
           e.reason, e.provider || ' refused the send (' || e.code || ')', e.summary
    FROM unnest(${col((e) => e.messageId)}::uuid[], ${col((e) => e.channel)}::text[], ${col((e) => e.error?.suppress ?? 'opt_out')}::text[],
                ${col((e) => e.provider ?? 'provider')}::text[], ${col((e) => e.error?.code ?? '')}::text[], ${col((e) => e.error?.message ?? null)}::text[])
      AS e(message_id, channel, reason, provider, code, summary)
    JOIN messages m ON m.id = e.message_id
    WHERE CASE WHEN e.channel = 'email' THEN m.recipient->>'email' ELSE m.recipient->>'phone' END IS NOT NULL
    ON CONFLICT DO NOTHING`;
}
