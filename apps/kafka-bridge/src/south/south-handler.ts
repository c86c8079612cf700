/**
 * south-updates -> tracking. Each batch of delivery events is applied by
 * TrackingService.updateStatus (history stored once per event, statuses only forward); poison
 * records go to the dead-letter topic. Offsets are committed after the database transaction.
 */
import { deliveryEventValidator, type DeliveryEvent } from '@herald/contracts';
import type { BatchHandler, DeadLetterPublisher } from '@herald/kafka';
import type { Logger } from '@herald/runtime';
import type { UpdateStatusResult } from '@herald/tracking';
import { decodeRecords } from '../decode';

export interface SouthHandlerDeps {
  tracking: { updateStatus(events: readonly DeliveryEvent[]): Promise<UpdateStatusResult> };
  deadLetter: DeadLetterPublisher;
  logger: Logger;
}

export function createSouthHandler(deps: SouthHandlerDeps): BatchHandler {
  return async (records) => {
    const { valid, poison } = decodeRecords<DeliveryEvent>(records, deliveryEventValidator);
    if (poison.length) {
      await deps.deadLetter.send(poison);
      deps.logger.warn({ count: poison.length, first: poison[0]?.error }, 'poison status events sent to the dead-letter topic');
    }
    if (valid.length === 0) return;
    const result = await deps.tracking.updateStatus(valid.map((v) => v.event));
    deps.logger.debug({ events: valid.length, ...result }, 'status events applied');
  };
}
