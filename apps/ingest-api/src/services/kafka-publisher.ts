/** Publishes to north-updates, keyed by message id: accepted messages and replay requests. */
import { NORTH_EVENT_VERSION, Topics, topicName, type DeliveriesReplayedEvent, type MessageAcceptedEvent, type NorthEvent } from '@herald/contracts';
import { EventPublisher, type BatchingProducer } from '@herald/kafka';
import type { MessagePublisher } from './message-service';
import type { ReplayPublisher } from './replay-service';

export class KafkaNorthPublisher implements MessagePublisher, ReplayPublisher {
  private readonly events: EventPublisher<NorthEvent>;

  constructor(producer: BatchingProducer, topicPrefix: string) {
    this.events = new EventPublisher(producer, topicName(Topics.North, topicPrefix), NORTH_EVENT_VERSION);
  }

  publish(event: MessageAcceptedEvent): Promise<void> {
    return this.events.send([event]);
  }

  publishReplays(events: readonly DeliveriesReplayedEvent[]): Promise<void> {
    return this.events.send(events);
  }
}
