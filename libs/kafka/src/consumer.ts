/**
 * A consumer-group reader that hands records to a handler in bounded batches and commits an
 * offset only after the handler has returned, that is after the work is durable. If the handler
 * throws, nothing past the last durable batch is committed and the records come again: handlers
 * must be idempotent (keyed by message id), which every Herald handler is.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { retryInBackground, type Logger } from '@herald/runtime';
import { kafkaBatching } from './client';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface BatchContext {
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
}

export type BatchHandler = (records: ConsumedRecord[], context: BatchContext) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  logger: Logger;
  /** Records handed to the handler at once (memory bound). */
  maxBatchRecords?: number;
  /** Bytes fetched per partition and per request (memory bound). */
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /** Partitions whose batches are handled concurrently. */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}

export class BatchConsumer {
  private readonly consumer: Consumer;
  private paused = false;
  private running = false;
  /** Set once the group has given this member its partitions (kafkajs' GROUP_JOIN). */
  private joined = false;
  private stopped: Promise<void> | undefined;
  private crashed: Error | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    const batching = kafkaBatching(kafka);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 5)),
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxBytes: options.maxBytes ?? 10_485_760,
      // Fewer, fuller fetches (KAFKA_FETCH_MIN_BYTES, KAFKA_FETCH_MAX_WAIT_MS).
      maxWaitTimeInMs: batching.fetchMaxWaitMs,
      minBytes: batching.fetchMinBytes,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5_000 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      // kafkajs rejoins after a crash it restarts from (GROUP_JOIN again); until then it fetches nothing.
      this.joined = false;
      this.options.logger.error({ err: error, restart: event.payload.restart }, 'Kafka consumer crashed');
      if (!event.payload.restart) this.crashed = error;
    });
  }

  /**
   * Joins the group and keeps trying (with a doubling delay, up to 10 s) until it can, without
   * holding up the caller: a service starts while Kafka is away and reports it through readiness.
   */
  startInBackground(): void {
    retryInBackground(() => this.start(), {
      stopped: () => this.stopped !== undefined,
      onSuccess: () => this.options.logger.info({ groupId: this.options.groupId }, 'consuming'),
      onError: (error, retryInMs) => this.options.logger.warn({ err: error, retryInMs }, 'cannot join the consumer group yet'),
    });
  }

  /** Joins the group and starts handing batches to the handler. */
  async start(): Promise<void> {
    const { topics, fromBeginning = true, partitionsConsumedConcurrently = 3 } = this.options;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.running = true;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const max = this.options.maxBatchRecords ?? 500;
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i += max) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(i, i + max);
      const records = chunk.map((m) => toRecord(batch.topic, batch.partition, m));
      await this.options.handler(records, { heartbeat });
      const last = chunk[chunk.length - 1];
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** True while the consumer runs and has not crashed for good. */
  get healthy(): boolean {
    return this.running && !this.crashed;
  }

  /**
   * True once the consumer has joined its group and fetches (and has not crashed for good).
   * `consumer.run()` awaits the first join, but a join that fails ends run() through kafkajs'
   * crash-and-restart path without an error, and after such a crash the member is out of its group
   * until it rejoins: readiness waits for GROUP_JOIN, not for run(). A later rebalance does not
   * clear it (the member is still part of the group).
   */
  get consuming(): boolean {
    return this.healthy && this.joined;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops fetching (the group keeps our partitions); used for backpressure. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
  }

  /** Finishes the batch in hand, commits it, leaves the group. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.running = false;
      await this.consumer.disconnect();
    })();
    return this.stopped;
  }
}
