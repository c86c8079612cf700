/**
 * ReplayService: behind POST /v1/replays. Counts the failed deliveries that match (dry run: that
 * is all), then publishes one deliveries.replayed event per message to north-updates, naming each
 * delivery's next generation. The bridge applies them: a delivery moves only if it is still failed
 * at the generation seen here, so a repeated or concurrent replay re-queues nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { NORTH_EVENT_VERSION, type DeliveriesReplayedEvent, type ReplayAnswer, type ReplayRequest } from '@herald/contracts';
import type { FailedDelivery, FailedFilter } from '@herald/tracking';
import { PublishFailedError } from './message-service';

export interface FailedDeliveries {
  countFailed(filter: FailedFilter): Promise<number>;
  findFailed(filter: FailedFilter, limit: number): Promise<FailedDelivery[]>;
}

export interface ReplayPublisher {
  publishReplays(events: readonly DeliveriesReplayedEvent[]): Promise<void>;
}

const DEFAULT_LIMIT = 1_000;
const LISTED = 100;

export class ReplayService {
  constructor(
    private readonly failed: FailedDeliveries,
    private readonly publisher: ReplayPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async replay(request: ReplayRequest, client: string): Promise<ReplayAnswer> {
    const filter: FailedFilter = {
      client,
      ...(request.from ? { from: new Date(request.from) } : {}),
      ...(request.to ? { to: new Date(request.to) } : {}),
      ...(request.channel ? { channel: request.channel } : {}),
      ...(request.errorCode ? { errorCode: request.errorCode } : {}),
      ...(request.errorContains ? { errorContains: request.errorContains } : {}),
      ...(request.messageIds ? { messageIds: request.messageIds } : {}),
    };
    const [matched, targets] = await Promise.all([this.failed.countFailed(filter), this.failed.findFailed(filter, request.limit ?? DEFAULT_LIMIT)]);
    const deliveryIds = targets.slice(0, LISTED).map((t) => t.deliveryId);
    if (request.dryRun) return { dryRun: true, matched, replayed: 0, deliveryIds };
    if (targets.length === 0) return { dryRun: false, matched, replayed: 0, deliveryIds };

    const replayId = randomUUID();
    const requestedAt = this.now().toISOString();
    const byMessage = new Map<string, DeliveriesReplayedEvent>();
    for (const t of targets) {
      const event = byMessage.get(t.messageId) ?? { v: NORTH_EVENT_VERSION, kind: 'deliveries.replayed', messageId: t.messageId, replayId, requestedAt, deliveries: [] };
      event.deliveries.push({ deliveryId: t.deliveryId, generation: t.generation + 1 });
      byMessage.set(t.messageId, event);
    }
    try {
      await this.publisher.publishReplays([...byMessage.values()]);
    } catch (error) {
      throw new PublishFailedError(error);
    }
    return { dryRun: false, matched, replayed: targets.length, replayId, deliveryIds };
  }
}
