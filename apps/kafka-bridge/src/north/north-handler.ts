/**
 * north-updates -> tracking + NotificationQueue. For each batch:
 * - records that cannot be parsed or validated go to the dead-letter topic;
 * - accepted messages are recorded in tracking (their deliveries queued), then added to
 *   NotificationQueue as batch jobs (one per batch of records, bounded in messages and bytes);
 * - replay requests move failed deliveries to their next generation and join the same jobs.
 * The handler returns only when all of it is durable, and only then does the consumer commit the
 * batch's offsets: a crash anywhere before means the batch comes again, and every step is
 * idempotent. A record that the database refuses for what it contains is set aside to the
 * dead-letter topic rather than retried for ever; any other failure retries the batch.
 */
import {
  deliveryIdFor,
  northEventValidator,
  type MessageAcceptedEvent,
  type NorthEvent,
  type NotificationBatchJob,
  type NotificationJob,
  NOTIFICATION_BATCH_MAX,
} from '@herald/contracts';
import type { BatchHandler, ConsumedRecord, DeadLetterPublisher } from '@herald/kafka';
import type { Logger } from '@herald/runtime';
import { isPermanentDataError } from '@herald/tracking';
import { decodeRecords } from '../decode';

export interface NotificationEnqueuer {
  addBulk(jobs: Array<{ name: string; data: NotificationBatchJob; opts: { jobId: string } }>): Promise<unknown>;
}

/** A batch job stays under about this many bytes of JSON (one Redis value). */
const BATCH_JOB_BYTES = 1_000_000;

/**
 * NotificationQueue batch jobs for these messages: at most NOTIFICATION_BATCH_MAX messages and
 * about BATCH_JOB_BYTES each. Job ids name the Kafka records they came from, so a batch that comes
 * again adds nothing (and if Kafka cuts it differently, the channel jobs' own ids still dedupe).
 */
export function batchJobs(messages: readonly NotificationJob[], idOf: (first: number, last: number) => string) {
  const jobs: Array<{ name: string; data: NotificationBatchJob; opts: { jobId: string } }> = [];
  let start = 0;
  while (start < messages.length) {
    let end = start;
    let bytes = 0;
    while (end < messages.length && end - start < NOTIFICATION_BATCH_MAX) {
      const size = JSON.stringify(messages[end]).length;
      if (end > start && bytes + size > BATCH_JOB_BYTES) break;
      bytes += size;
      end += 1;
    }
    jobs.push({ name: 'notify-batch', data: { v: 1, kind: 'batch', messages: messages.slice(start, end) }, opts: { jobId: idOf(start, end - 1) } });
    start = end;
  }
  return jobs;
}

export interface NorthTracking {
  recordAccepted(events: readonly MessageAcceptedEvent[]): Promise<void>;
  applyReplay(targets: ReadonlyArray<{ deliveryId: string; generation: number }>, since: Date): Promise<NotificationJob[]>;
}

export interface NorthHandlerDeps {
  tracking: NorthTracking;
  notificationQueue: NotificationEnqueuer;
  deadLetter: DeadLetterPublisher;
  logger: Logger;
}

export function toNotificationJob(event: MessageAcceptedEvent): NotificationJob {
  const { request } = event;
  return {
    v: 1,
    messageId: event.messageId,
    acceptedAt: event.acceptedAt,
    client: event.client,
    ...(request.priority ? { priority: request.priority } : {}),
    deliveries: request.channels.map((channel) => ({ deliveryId: deliveryIdFor(event.messageId, channel), channel, generation: 0 })),
    to: { ...request.to },
    ...(request.email ? { email: request.email } : {}),
    ...(request.sms ? { sms: request.sms } : {}),
  };
}

type Item = { record: ConsumedRecord; event: MessageAcceptedEvent };

/** Records accepted messages; on a data error, one by one, returning those the database refused. */
async function recordAll(tracking: NorthTracking, items: Item[]): Promise<{ stored: Item[]; refused: Array<{ record: ConsumedRecord; error: string }> }> {
  try {
    await tracking.recordAccepted(items.map((i) => i.event));
    return { stored: items, refused: [] };
  } catch (error) {
    if (!isPermanentDataError(error)) throw error;
  }
  const stored: Item[] = [];
  const refused: Array<{ record: ConsumedRecord; error: string }> = [];
  for (const item of items) {
    try {
      await tracking.recordAccepted([item.event]);
      stored.push(item);
    } catch (error) {
      if (!isPermanentDataError(error)) throw error;
      refused.push({ record: item.record, error: `refused by the database: ${error instanceof Error ? error.message.slice(0, 1_000) : String(error)}` });
    }
  }
  return { stored, refused };
}

export function createNorthHandler(deps: NorthHandlerDeps): BatchHandler {
  const { logger } = deps;
  return async (records) => {
    const { valid, poison } = decodeRecords<NorthEvent>(records, northEventValidator);
    const accepted = valid.flatMap((v) => (v.event.kind === 'message.accepted' ? [{ record: v.record, event: v.event }] : []));
    const replays = valid.flatMap((v) => (v.event.kind === 'deliveries.replayed' ? [v.event] : []));

    const { stored, refused } = accepted.length ? await recordAll(deps.tracking, accepted) : { stored: [], refused: [] };
    const setAside = [...poison, ...refused];
    if (setAside.length) {
      await deps.deadLetter.send(setAside);
      for (const p of setAside) {
        logger.warn({ topic: p.record.topic, partition: p.record.partition, offset: p.record.offset, error: p.error }, 'record sent to the dead-letter topic');
      }
    }
    const messages = stored.map(({ event }) => toNotificationJob(event));
    for (const replay of replays) messages.push(...(await deps.tracking.applyReplay(replay.deliveries, new Date(replay.requestedAt))));
    const first = records[0];
    const last = records[records.length - 1];
    // BullMQ job ids may not contain ':'.
    const origin = first && last ? `${first.topic}.p${first.partition}.o${first.offset}-${last.offset}` : 'none';
    if (messages.length) await deps.notificationQueue.addBulk(batchJobs(messages, (a, b) => `batch.${origin}.m${a}-${b}`));
    if (stored.length || replays.length) logger.debug({ messages: stored.length, replays: replays.length }, 'north batch recorded and queued');
  };
}
