/** Publishes to north-updates, keyed by message id: accepted messages and replay requests. */
import { Headers, NORTH_EVENT_VERSION, Topics, topicName, type DeliveriesReplayedEvent, type MessageAcceptedEvent, type NorthEvent } from '@herald/contracts';
import type { BatchingProducer } from '@herald/kafka';
import type { MessagePublisher } from './message-service';
import type { ReplayPublisher } from './replay-service';

export class KafkaNorthPublisher implements MessagePublisher, ReplayPublisher {
  private readonly topic: string;

  constructor(
    private readonly producer: BatchingProducer,
    topicPrefix: string,
  ) {
    this.topic = topicName(Topics.North, topicPrefix);
  }

  publish(event: MessageAcceptedEvent): Promise<void> {
    return this.send([event]);
  }

  publishReplays(events: readonly DeliveriesReplayedEvent[]): Promise<void> {
    return this.send(events);
  }

  private send(events: readonly NorthEvent[]): Promise<void> {
    return this.producer.send(
      this.topic,
      events.map((event) => ({ key: event.messageId, value: JSON.stringify(event), headers: { [Headers.SchemaVersion]: String(NORTH_EVENT_VERSION) } })),
    );
  }
}
