/**
 * Kafka for the ingest-api: the idempotent group-commit producer to north-updates and its
 * readiness check. The producer connects in the background (the API starts while Kafka is away
 * and says so through /readyz). Once connected, the topic's max.message.bytes is read and the
 * largest record the producer takes is set from it, so that a message too large for the topic is
 * refused with 413 before anything is produced, and never fails the other messages of its batch.
 * Closed on app.close(), after the requests in flight: what is queued is flushed first.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Topics, topicName } from '@herald/contracts';
import { BatchingProducer, RECORD_OVERHEAD_BYTES, createKafka, kafkaReadinessCheck, topicMaxMessageBytes, type KafkaSettings } from '@herald/kafka';
import { retryInBackground, type Health, type Logger } from '@herald/runtime';
import { KafkaNorthPublisher } from '../services/kafka-publisher';

declare module 'fastify' {
  interface FastifyInstance {
    northPublisher: KafkaNorthPublisher;
  }
}

export interface KafkaPluginOptions {
  settings: KafkaSettings;
  topicPrefix: string;
  sendTimeoutMs: number;
  /** BODY_LIMIT_BYTES: compared with the topic's limit at start. */
  bodyLimit: number;
  health: Health;
  logger: Logger;
}

async function kafkaPlugin(app: FastifyInstance, options: KafkaPluginOptions): Promise<void> {
  const { logger } = options;
  const kafka = createKafka(options.settings, logger);
  const producer = new BatchingProducer(kafka, { logger, sendTimeoutMs: options.sendTimeoutMs });
  const northTopic = topicName(Topics.North, options.topicPrefix);
  const probe = kafkaReadinessCheck(kafka, [northTopic]);
  let stopped = false;
  producer.connectInBackground();
  retryInBackground(
    async () => {
      const topicLimit = await topicMaxMessageBytes(kafka, northTopic);
      producer.setMaxRecordBytes(topicLimit - RECORD_OVERHEAD_BYTES);
      if (topicLimit - RECORD_OVERHEAD_BYTES < options.bodyLimit) {
        logger.error(
          { topic: northTopic, topicMaxMessageBytes: topicLimit, bodyLimit: options.bodyLimit },
          `BODY_LIMIT_BYTES exceeds what ${northTopic} takes (max.message.bytes): messages over ${topicLimit - RECORD_OVERHEAD_BYTES} bytes are refused with 413; raise the topic's max.message.bytes or lower BODY_LIMIT_BYTES`,
        );
      } else {
        logger.info({ topic: northTopic, topicMaxMessageBytes: topicLimit }, 'topic size limit read');
      }
    },
    {
      stopped: () => stopped,
      onSuccess: () => undefined,
      onError: (error, retryInMs) => logger.warn({ err: error, retryInMs, topic: northTopic }, 'cannot read the topic size limit yet'),
    },
  );
  app.decorate('northPublisher', new KafkaNorthPublisher(producer, options.topicPrefix));
  options.health.addReadinessCheck('kafka', async () => {
    if (!producer.isConnected) throw new Error('producer not connected');
    await probe.check();
  });
  app.addHook('onClose', async () => {
    stopped = true;
    await producer.close();
    await probe.close();
  });
}

export default fp(kafkaPlugin, { name: 'herald-kafka', fastify: '5.x' });
