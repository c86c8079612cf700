/**
 * south-updates -> WebhookQueue. Per batch: the delivery events (provider receipts and anything
 * that is not a valid delivery event are left to the kafka-bridge, which dead-letters poison),
 * one query for the enabled endpoints of every message's client with the message's metadata, one
 * job per (event, endpoint that wants its type), all added with one addBulk. The handler returns
 * only after addBulk, so the consumer commits the batch's offsets only once its jobs are in Redis;
 * a crash before means the batch comes again, and the derived job ids (the webhook-ids) add
 * nothing twice.
 */
import { JOB_VERSION, checkJsonShape, deliveryEventValidator, type DeliveryEvent, type WebhookJob } from '@herald/contracts';
import type { BatchHandler, ConsumedRecord } from '@herald/kafka';
import type { Logger } from '@herald/runtime';
import type { FanOutTarget } from '@herald/tracking';
import { toDeliveryPayload, wantsEvent, webhookIdFor } from '@herald/webhooks';

export interface FanOutDeps {
  targets(messageIds: readonly string[]): Promise<FanOutTarget[]>;
  enqueue(jobs: ReadonlyArray<{ jobId: string; data: WebhookJob }>): Promise<void>;
  logger: Logger;
  now?: () => Date;
  /** Counts what each batch became. */
  onBatch?: (stats: { records: number; events: number; jobs: number }) => void;
}

/** The delivery events among the records; everything else is not ours to judge. */
export function deliveryEvents(records: readonly ConsumedRecord[]): DeliveryEvent[] {
  const events: DeliveryEvent[] = [];
  for (const record of records) {
    let value: unknown;
    try {
      value = JSON.parse(record.value?.toString('utf8') ?? '');
    } catch {
      continue;
    }
    if ((value as { kind?: unknown } | null)?.kind !== 'delivery.event' || checkJsonShape(value)) continue;
    if (deliveryEventValidator.check(value)) events.push(value);
  }
  return events;
}

/** The jobs for a batch of events, given the endpoints of their messages. */
export function fanOut(events: readonly DeliveryEvent[], targets: readonly FanOutTarget[], now: Date): Array<{ jobId: string; data: WebhookJob }> {
  const byMessage = new Map<string, FanOutTarget[]>();
  for (const t of targets) byMessage.set(t.messageId, [...(byMessage.get(t.messageId) ?? []), t]);
  const jobs: Array<{ jobId: string; data: WebhookJob }> = [];
  const createdAt = now.toISOString();
  for (const event of events) {
    for (const target of byMessage.get(event.messageId) ?? []) {
      if (!wantsEvent(target.eventTypes, event.type)) continue;
      const webhookId = webhookIdFor(event.eventId, target.endpointId);
      jobs.push({ jobId: webhookId, data: { v: JOB_VERSION, webhookId, endpointId: target.endpointId, client: target.client, createdAt, payload: toDeliveryPayload(event, target.metadata) } });
    }
  }
  return jobs;
}

export function createFanOutHandler(deps: FanOutDeps): BatchHandler {
  return async (records) => {
    const events = deliveryEvents(records);
    let jobs: Array<{ jobId: string; data: WebhookJob }> = [];
    if (events.length) {
      const targets = await deps.targets([...new Set(events.map((e) => e.messageId))]);
      jobs = fanOut(events, targets, deps.now?.() ?? new Date());
      if (jobs.length) await deps.enqueue(jobs);
    }
    deps.onBatch?.({ records: records.length, events: events.length, jobs: jobs.length });
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ records: records.length, events: events.length, jobs: jobs.length }, 'south-updates batch fanned out');
  };
}
