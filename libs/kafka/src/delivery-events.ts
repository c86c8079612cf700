/** Publishers of Herald's JSON events, keyed by message id (one partition per message keeps its events in order). */
import { Headers, SOUTH_EVENT_VERSION, Topics, topicName, type DeliveryEvent } from '@herald/contracts';
import type { BatchingProducer } from './producer';

/** JSON events with their schema version header, to one topic, keyed by message id. */
export class EventPublisher<E extends { messageId: string }> {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly producer: BatchingProducer,
    readonly topic: string,
    schemaVersion: number,
  ) {
    this.headers = { [Headers.SchemaVersion]: String(schemaVersion) };
  }

  /** Resolves once Kafka has acknowledged every event. */
  send(events: readonly E[]): Promise<void> {
    return this.producer.send(
      this.topic,
      events.map((event) => ({ key: event.messageId, value: JSON.stringify(event), headers: this.headers })),
    );
  }
}

/** Delivery status events to south-updates. */
export class DeliveryEventPublisher {
  private readonly events: EventPublisher<DeliveryEvent>;

  constructor(producer: BatchingProducer, topicPrefix: string) {
    this.events = new EventPublisher(producer, topicName(Topics.South, topicPrefix), SOUTH_EVENT_VERSION);
  }

  get topic(): string {
    return this.events.topic;
  }

  /** Resolves once Kafka has acknowledged every event. */
  report(events: readonly DeliveryEvent[]): Promise<void> {
    return this.events.send(events);
  }
}
