/**
 * south-updates -> tracking. Each batch holds delivery status events (from the workers and the
 * bridge) and provider receipts (from the receipts-api): status events are applied by
 * TrackingService.updateStatus (history stored once per event, statuses only forward), receipts
 * by TrackingService.applyReceipts (stored once, applied when their send is known, suppressions);
 * poison records go to the dead-letter topic. Offsets are committed after the database work.
 * Status events go first, so that a receipt in the same batch as its "sent" finds the send. Every
 * receipt applied to a delivery is then re-published as the DeliveryEvent it stands for
 * (delivered, failed, complained...), so that south-updates carries every status change as a
 * DeliveryEvent (what the webhook-worker reads); tracking applying it again changes nothing.
 */
import { deliveryEventValidator, receiptEventValidator, type DeliveryEvent, type ReceiptEvent, type Validator } from '@herald/contracts';
import type { BatchHandler, DeadLetterPublisher } from '@herald/kafka';
import type { Logger } from '@herald/runtime';
import type { ApplyReceiptsResult, UpdateStatusResult } from '@herald/tracking';
import { decodeRecords } from '../decode';

export interface SouthHandlerDeps {
  tracking: {
    updateStatus(events: readonly DeliveryEvent[]): Promise<UpdateStatusResult>;
    applyReceipts(receipts: readonly ReceiptEvent[]): Promise<ApplyReceiptsResult>;
    markRepublished(receiptIds: readonly string[]): Promise<void>;
  };
  /** Re-publishes applied receipts as delivery events (to south-updates), for the consumers of every status change. */
  republish: { report(events: readonly DeliveryEvent[]): Promise<void> };
  deadLetter: DeadLetterPublisher;
  logger: Logger;
}

type SouthRecord = DeliveryEvent | ReceiptEvent;

/** A status event or a receipt, told apart by `kind` (each checked against its own contract). */
const southValidator: Validator<SouthRecord> = {
  check: (value): value is SouthRecord => kindOf(value) === 'provider.receipt' ? receiptEventValidator.check(value) : deliveryEventValidator.check(value),
  errors: (value) => (kindOf(value) === 'provider.receipt' ? receiptEventValidator.errors(value) : deliveryEventValidator.errors(value)),
  parse: (value) => (kindOf(value) === 'provider.receipt' ? receiptEventValidator.parse(value) : deliveryEventValidator.parse(value)),
};

function kindOf(value: unknown): unknown {
  return value && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
}

export function createSouthHandler(deps: SouthHandlerDeps): BatchHandler {
  return async (records) => {
    const { valid, poison } = decodeRecords<SouthRecord>(records, southValidator);
    if (poison.length) {
      await deps.deadLetter.send(poison);
      deps.logger.warn({ count: poison.length, first: poison[0]?.error }, 'poison status events sent to the dead-letter topic');
    }
    const events = valid.flatMap((v) => (v.event.kind === 'delivery.event' ? [v.event] : []));
    const receipts = valid.flatMap((v) => (v.event.kind === 'provider.receipt' ? [v.event] : []));
    const derived: DeliveryEvent[] = [];
    const receiptIds: string[] = [];
    if (events.length) {
      const result = await deps.tracking.updateStatus(events);
      derived.push(...result.derived.events);
      receiptIds.push(...result.derived.receiptIds);
      deps.logger.debug({ events: events.length, recorded: result.recorded, updated: result.updated, skipped: result.skipped }, 'status events applied');
    }
    if (receipts.length) {
      const result = await deps.tracking.applyReceipts(receipts);
      derived.push(...result.derived.events);
      receiptIds.push(...result.derived.receiptIds);
      deps.logger.debug({ receipts: receipts.length, stored: result.stored, applied: result.applied }, 'provider receipts stored');
    }
    // The outbox: applied receipts become delivery events on south-updates before the batch's
    // offsets are committed; a crash in between publishes them again (same event ids).
    if (derived.length) {
      await deps.republish.report(derived);
      await deps.tracking.markRepublished(receiptIds);
    }
  };
}
