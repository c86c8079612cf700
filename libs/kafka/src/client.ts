/** A kafkajs client whose logs go through the process's pino logger. */
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '@herald/runtime';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Connection and request timeouts, in milliseconds. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** true, or the CA certificates (PEM) to trust. */
  ssl?: boolean | { ca: string[] };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** How requests are batched (BatchingProducer and BatchConsumer of this client take it as their default). */
  batching?: Partial<KafkaBatching>;
}

/**
 * Fewer, larger requests: a record waits up to `lingerMs` for others before a produce request goes
 * out (when none is in flight), and a fetch waits up to `fetchMaxWaitMs` for `fetchMinBytes`.
 * Each request costs the broker and the client about the same whatever it carries, so at a few
 * hundred messages per second this halves the broker's CPU, for a few milliseconds per hop.
 */
export interface KafkaBatching {
  lingerMs: number;
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
}

export const DEFAULT_BATCHING: Readonly<KafkaBatching> = Object.freeze({ lingerMs: 5, fetchMinBytes: 65_536, fetchMaxWaitMs: 25 });

const batchingOf = new WeakMap<Kafka, KafkaBatching>();

/** The batching of a client made by createKafka (the defaults for any other). */
export function kafkaBatching(kafka: Kafka): KafkaBatching {
  return batchingOf.get(kafka) ?? DEFAULT_BATCHING;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000, factor: 0.2, multiplier: 2 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // kafkajs logs each error response at ERROR even when it retries it (a coordinator still
        // loading, a leader moving): those are warnings; what it gives up on surfaces as a rejection.
        const mapped = level === logLevel.ERROR && message.startsWith('Response ') ? 'warn' : (LEVELS[level] ?? 'info');
        log[mapped](rest, message);
      },
  };
  if (settings.ssl) config.ssl = settings.ssl;
  // The three mechanisms share one shape; kafkajs types them as a union of literals.
  if (settings.sasl) config.sasl = settings.sasl as SASLOptions;
  const kafka = new Kafka(config);
  batchingOf.set(kafka, { ...DEFAULT_BATCHING, ...settings.batching });
  return kafka;
}
