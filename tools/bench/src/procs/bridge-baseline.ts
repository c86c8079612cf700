/**
 * The bridge baseline: a bare kafkajs consumer-group reader of north-updates that turns each
 * message.accepted record into one BullMQ job per delivery (the same EmailQueue / SmsQueue payload
 * and job id the kafka-bridge produces in the end) and adds them with Queue.addBulk, one call per
 * queue per batch; offsets are committed after the batch (kafkajs auto-resolve). No validation,
 * no tracking, no intermediate NotificationQueue, no status events.
 *
 *   node bridge-baseline.js --brokers 127.0.0.1:9092 --topic t.north-updates --group g
 *        --redis redis://127.0.0.1:6379 --prefix p --concurrency 3 --health-port 9600
 */
import { Queues, deliveryIdFor, deliveryJobId, type EmailJob, type MessageAcceptedEvent, type SmsJob } from '@herald/contracts';
import { createKafka } from '@herald/kafka';
import { Queue, createRedis } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { argValue, onStop, serveHealth } from './receipts';

async function main(): Promise<void> {
  const logger = createLogger({ service: 'bench-bridge-baseline', level: 'warn' });
  const kafka = createKafka({ brokers: argValue('brokers').split(','), clientId: 'bench-bridge-baseline' }, logger);
  const redis = createRedis(argValue('redis'), 'producer', logger);
  const prefix = argValue('prefix');
  const email = new Queue<EmailJob>(Queues.Email, { connection: redis, prefix });
  const sms = new Queue<SmsJob>(Queues.Sms, { connection: redis, prefix });
  const consumer = kafka.consumer({ groupId: argValue('group'), maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [argValue('topic')], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: Number(argValue('concurrency', '3')),
    eachBatch: async ({ batch }) => {
      const emails: Array<{ name: string; data: EmailJob; opts: { jobId: string } }> = [];
      const texts: Array<{ name: string; data: SmsJob; opts: { jobId: string } }> = [];
      for (const message of batch.messages) {
        const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as MessageAcceptedEvent;
        const { request } = event;
        for (const channel of request.channels) {
          const deliveryId = deliveryIdFor(event.messageId, channel);
          const base = { v: 1 as const, messageId: event.messageId, deliveryId, generation: 0, acceptedAt: event.acceptedAt };
          const opts = { jobId: deliveryJobId(deliveryId, 0) };
          if (channel === 'email' && request.to.email && request.email) emails.push({ name: 'email', data: { ...base, to: request.to.email, content: request.email }, opts });
          if (channel === 'sms' && request.to.phone && request.sms) texts.push({ name: 'sms', data: { ...base, to: request.to.phone, content: request.sms }, opts });
        }
      }
      await Promise.all([emails.length ? email.addBulk(emails) : undefined, texts.length ? sms.addBulk(texts) : undefined]);
    },
  });
  const health = serveHealth();
  onStop(async () => {
    await consumer.disconnect();
    await Promise.allSettled([email.close(), sms.close()]);
    await redis.quit();
    health.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bridge baseline failed: ${String(error)}\n`);
  process.exit(1);
});
