/**
 * An idempotent producer (acks from all in-sync replicas) that commits in groups.
 *
 * kafkajs allows one request in flight per idempotent producer, so sending each record on its own
 * caps throughput at one round trip per record. Here callers enqueue records and get a promise;
 * while a request is in flight, new records wait, and the next request carries all of them
 * (bounded by maxBatchRecords). When none is in flight, a record waits up to lingerMs (a few
 * milliseconds) for others, so that moderate load, too, goes in fewer and larger requests.
 *
 * Timeouts: a record not acknowledged within sendTimeoutMs is rejected. If it was still waiting
 * in our queue it is withdrawn, so it can never be written after its caller gave up; only the
 * one request already handed to kafkajs (which retries until Kafka answers, as an idempotent
 * producer must) may still land. The queue is capped: past maxBacklog, send() fails at once.
 */
import { HeraldError } from '@herald/errors';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { retryInBackground, type Logger } from '@herald/runtime';
import { kafkaBatching } from './client';

export interface OutgoingRecord {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface BatchingProducerOptions {
  logger: Logger;
  /** At most this many records per request. */
  maxBatchRecords?: number;
  /**
   * At most about this many bytes of keys and values per request (a request carries the records
   * of many callers: one too large would fail all of them). Default 900 KiB: under the brokers'
   * default max.message.bytes (1 MiB) with room for the batch overhead.
   */
  maxBatchBytes?: number;
  /** A record larger than this (key + value + headers) is refused at once with RecordTooLargeError. */
  maxRecordBytes?: number;
  /** Reject a record that has not been acknowledged within this time. */
  sendTimeoutMs?: number;
  /** Records waiting for a request beyond which send() fails at once (memory bound during an outage). */
  maxBacklog?: number;
  compression?: 'none' | 'gzip';
  /**
   * How long a record may wait for others before a request goes out when none is in flight
   * (default: the client's batching, KAFKA_LINGER_MS). A few milliseconds turn a stream of small
   * requests into fewer, larger ones, which cost the broker and this process less per record.
   */
  lingerMs?: number;
}

interface Pending {
  topic: string;
  message: Message;
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
  /** Set once the record's caller has been answered (timeout): skip it if still queued. */
  abandoned: boolean;
}

export class ProducerClosedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_KAFKA_PRODUCER_CLOSED';
  constructor() {
    super('the Kafka producer is closed');
  }
}

export class SendTimeoutError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_KAFKA_SEND_TIMEOUT';
  constructor(ms: number) {
    super(`Kafka did not acknowledge the record within ${ms} ms`);
  }
}

/** The record is larger than the topic takes: refused before anything was sent. */
export class RecordTooLargeError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_KAFKA_RECORD_TOO_LARGE';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a record of ${bytes} bytes is larger than the ${limit} bytes Kafka takes`);
  }
}

/** Bytes a record adds to a request: key, value and headers (the batch framing is on top). */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = Buffer.byteLength(record.key) + (typeof record.value === 'string' ? Buffer.byteLength(record.value) : record.value.length);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Framing Kafka adds around a record and a batch, at most (record batch header, varints, headers count). */
export const RECORD_OVERHEAD_BYTES = 1_024;

export class BacklogFullError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_KAFKA_BACKLOG_FULL';
  constructor(limit: number) {
    super(`more than ${limit} records are waiting for Kafka`);
  }
}

export class BatchingProducer {
  private readonly producer: Producer;
  private readonly queue: Pending[] = [];
  private inFlight = false;
  private closed = false;
  private idle: Array<() => void> = [];
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private maxRecordBytesLimit: number;
  private readonly sendTimeoutMs: number;
  private readonly compression: CompressionTypes;
  private readonly maxBacklog: number;
  private connected = false;
  private readonly lingerMs: number;
  private lingerTimer: NodeJS.Timeout | undefined;
  private requestCount = 0;

  constructor(
    kafka: Kafka,
    private readonly options: BatchingProducerOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.maxRecordBytesLimit = options.maxRecordBytes ?? 1_048_576 - RECORD_OVERHEAD_BYTES;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.maxBacklog = options.maxBacklog ?? 20_000;
    this.lingerMs = options.lingerMs ?? kafkaBatching(kafka).lingerMs;
    // No retry limit: an idempotent producer retries until Kafka answers (kafkajs warns that a
    // limit may break exactly-once); callers are bounded by sendTimeoutMs instead.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
    this.producer.on(this.producer.events.CONNECT, () => {
      this.connected = true;
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /**
   * Connects without holding up the start: retries with a doubling delay (up to 10 s) until Kafka
   * answers, so that a service starts while Kafka is away and reports it through readiness.
   */
  connectInBackground(): void {
    retryInBackground(() => this.connect(), {
      stopped: () => this.closed,
      onSuccess: () => this.options.logger.info('connected to Kafka'),
      onError: (error, retryInMs) => this.options.logger.warn({ err: error, retryInMs }, 'Kafka not reachable yet'),
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The largest record send() accepts (key + value + headers). */
  get maxRecordBytes(): number {
    return this.maxRecordBytesLimit;
  }

  /** Lowers (or raises) the largest record accepted, e.g. to what the topic's max.message.bytes allows. */
  setMaxRecordBytes(bytes: number): void {
    this.maxRecordBytesLimit = bytes;
  }

  /** Produce requests sent so far (each carries one batch of records). */
  get requests(): number {
    return this.requestCount;
  }

  /** Number of records waiting for a request. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Resolves once Kafka has acknowledged every record (acks=all), rejects if any failed. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new ProducerClosedError());
    if (records.length === 0) return Promise.resolve();
    if (this.queue.length + records.length > this.maxBacklog) return Promise.reject(new BacklogFullError(this.maxBacklog));
    const sizes = records.map(recordBytes);
    const largest = Math.max(...sizes);
    if (largest > this.maxRecordBytesLimit) return Promise.reject(new RecordTooLargeError(largest, this.maxRecordBytesLimit));
    const entries: Pending[] = [];
    const promises = records.map(
      (record, i) =>
        new Promise<void>((resolve, reject) => {
          const message: Message = { key: record.key, value: record.value };
          if (record.headers) message.headers = record.headers;
          const entry: Pending = { topic, message, bytes: sizes[i] ?? 0, resolve, reject, abandoned: false };
          entries.push(entry);
          this.queue.push(entry);
        }),
    );
    this.schedule();
    const all = Promise.all(promises).then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const entry of entries) entry.abandoned = true;
        reject(new SendTimeoutError(this.sendTimeoutMs));
      }, this.sendTimeoutMs);
    });
    return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Sends now, or after the linger when nothing is in flight and the batch is not full yet (a batch
   * that fills while it lingers goes at once). With one in flight, its completion sends the rest.
   */
  private schedule(): void {
    if (this.inFlight) return;
    if (this.lingerMs <= 0 || this.queue.length >= this.maxBatchRecords) return this.pump();
    this.lingerTimer ??= setTimeout(() => this.pump(), this.lingerMs);
  }

  private pump(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.inFlight) return;
    // Take records in order up to the record and byte bounds (always at least one), with one
    // splice: a long backlog is not shifted record by record.
    let take = 0;
    let taken = 0;
    let bytes = 0;
    for (; take < this.queue.length && taken < this.maxBatchRecords; take += 1) {
      const next = this.queue[take] as Pending;
      if (next.abandoned) continue;
      if (taken > 0 && bytes + next.bytes + RECORD_OVERHEAD_BYTES > this.maxBatchBytes) break;
      taken += 1;
      bytes += next.bytes + RECORD_OVERHEAD_BYTES;
    }
    const batch = this.queue.splice(0, take).filter((p) => !p.abandoned);
    if (batch.length === 0) {
      this.idle.splice(0).forEach((resolve) => resolve());
      return;
    }
    this.inFlight = true;
    this.requestCount += 1;
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p.message);
      byTopic.set(p.topic, list);
    }
    this.producer
      .sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => {
          for (const p of batch) p.resolve();
        },
        (error: unknown) => {
          const err = error instanceof Error ? error : new Error(String(error));
          this.options.logger.warn({ err, records: batch.length }, 'Kafka send failed');
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }

  /** Waits until every record enqueued so far has been answered. */
  async flush(): Promise<void> {
    if (this.lingerTimer) this.pump();
    if (!this.inFlight && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Stops taking records, sends what is queued, then disconnects. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await this.producer.disconnect();
  }
}
