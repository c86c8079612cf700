/**
 * Dead-lettering of records that cannot be parsed or validated: the original bytes go to the
 * topic's .dlq twin with the error and the source coordinates in headers, and consumption goes on.
 */
import { Headers } from '@herald/contracts';
import type { ConsumedRecord } from './consumer';
import type { BatchingProducer } from './producer';

export class DeadLetterPublisher {
  constructor(
    private readonly producer: BatchingProducer,
    readonly topic: string,
  ) {}

  send(records: ReadonlyArray<{ record: ConsumedRecord; error: string }>): Promise<void> {
    return this.producer.send(
      this.topic,
      records.map(({ record, error }) => ({
        key: record.key ?? '',
        value: record.value ?? Buffer.alloc(0),
        headers: {
          ...record.headers,
          [Headers.DeadLetterError]: error.slice(0, 4_000),
          [Headers.DeadLetterSourceTopic]: record.topic,
          [Headers.DeadLetterSourcePartition]: String(record.partition),
          [Headers.DeadLetterSourceOffset]: record.offset,
        },
      })),
    );
  }
}
