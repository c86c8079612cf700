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
import { statusRank, suppresses, type DeliveryEvent, type ReceiptEvent } from '@herald/contracts';
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
    ), history AS (
      INSERT INTO delivery_events (id, delivery_id, message_id, channel, type, generation, attempt, at, detail)
      SELECT m.delivery_id || '.' || m.generation || '.receipt.' || md5(m.receipt_id), m.delivery_id, m.message_id, m.channel,
             CASE WHEN m.outcome = 'delivered' THEN 'delivered'
                  WHEN m.outcome = ANY(${FAILURE_OUTCOMES}::text[]) THEN 'failed'
                  ELSE m.outcome END,
             m.generation, m.attempts, m.at,
             concat_ws(': ', coalesce(m.reason_code, upper(m.outcome)), coalesce(m.summary, m.outcome)) || ' (reported by ' || m.provider || ')'
      FROM matched m
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
    UPDATE provider_receipts r SET applied_at = now(), delivery_id = m.delivery_id
    FROM matched m WHERE r.id = m.receipt_id`;
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
