/** Publishes delivery status events to south-updates, keyed by message id (one partition per message keeps them in order). */
import { Headers, SOUTH_EVENT_VERSION, Topics, topicName, type DeliveryEvent } from '@herald/contracts';
import type { BatchingProducer } from './producer';

export class DeliveryEventPublisher {
  readonly topic: string;

  constructor(
    private readonly producer: BatchingProducer,
    topicPrefix: string,
  ) {
    this.topic = topicName(Topics.South, topicPrefix);
  }

  /** Resolves once Kafka has acknowledged every event. */
  report(events: readonly DeliveryEvent[]): Promise<void> {
    return this.producer.send(
      this.topic,
      events.map((e) => ({ key: e.messageId, value: JSON.stringify(e), headers: { [Headers.SchemaVersion]: String(SOUTH_EVENT_VERSION) } })),
    );
  }
}
