/**
 * The Kafka connection settings every Herald service reads: brokers, client id, topic namespace,
 * TLS and SASL. Each service spreads kafkaConfigSpec() into its own configuration spec, so the
 * variables are the same everywhere.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, HOST_PORT, v, type ConfigOf } from '@herald/runtime';
import { DEFAULT_BATCHING, type KafkaSettings } from './client';

export function kafkaConfigSpec(defaults: { clientId: string }) {
  return {
    KAFKA_BROKERS: v.list({ description: 'Kafka bootstrap brokers, host:port.', default: ['127.0.0.1:9092'], item: HOST_PORT, hint: 'must be host:port pairs' }),
    KAFKA_CLIENT_ID: v.string({ description: 'Kafka client id.', default: defaults.clientId }),
    KAFKA_TOPIC_PREFIX: v.string({ description: 'Namespace for topic and consumer-group names (e.g. "staging" gives staging.north-updates); empty for none.', default: '', minLength: 0 }),
    KAFKA_SSL: v.bool({ description: 'Connect to Kafka over TLS.', default: false }),
    KAFKA_SSL_CA_FILE: v.string({ description: 'PEM file of the certificate authorities to trust for Kafka TLS (a private CA); empty: the system ones.', default: '', minLength: 0 }),
    KAFKA_SASL_MECHANISM: v.oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, { description: 'SASL authentication to Kafka.', default: 'none' }),
    KAFKA_SASL_USERNAME: v.string({ description: 'SASL user name (with a SASL mechanism).', default: '', minLength: 0 }),
    KAFKA_SASL_PASSWORD: v.string({ description: 'SASL password (with a SASL mechanism).', default: '', minLength: 0, secret: true }),
    KAFKA_LINGER_MS: v.int({ description: 'How long a record may wait for others before a produce request goes out (0: at once); fewer, larger requests.', min: 0, max: 1_000, default: DEFAULT_BATCHING.lingerMs }),
    KAFKA_FETCH_MIN_BYTES: v.int({ description: 'A fetch waits for this many bytes (or KAFKA_FETCH_MAX_WAIT_MS) before the broker answers.', min: 1, max: 10_485_760, default: DEFAULT_BATCHING.fetchMinBytes }),
    KAFKA_FETCH_MAX_WAIT_MS: v.int({ description: 'How long a fetch waits for KAFKA_FETCH_MIN_BYTES.', min: 0, max: 5_000, default: DEFAULT_BATCHING.fetchMaxWaitMs }),
  };
}

export type KafkaConfig = ConfigOf<ReturnType<typeof kafkaConfigSpec>>;

/** The client settings from a parsed configuration; throws ConfigError for an incomplete SASL setup or an unreadable CA file. */
export function kafkaSettings(config: KafkaConfig): KafkaSettings {
  const problems: string[] = [];
  if (config.KAFKA_SASL_MECHANISM !== 'none' && (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)) {
    problems.push(`KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`);
  }
  let ca: string | undefined;
  if (config.KAFKA_SSL_CA_FILE) {
    try {
      ca = readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8');
    } catch (error) {
      problems.push(`KAFKA_SSL_CA_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    batching: { lingerMs: config.KAFKA_LINGER_MS, fetchMinBytes: config.KAFKA_FETCH_MIN_BYTES, fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS },
    ...(config.KAFKA_SSL || ca ? { ssl: ca ? { ca: [ca] } : true } : {}),
    ...(config.KAFKA_SASL_MECHANISM !== 'none'
      ? { sasl: { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD } }
      : {}),
  };
}
