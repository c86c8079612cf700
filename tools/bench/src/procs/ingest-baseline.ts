/**
 * The ingest baseline: a bare Fastify route that produces the same message.accepted record to
 * north-updates with a kafkajs producer and answers 202 once Kafka acknowledged it. Same
 * durability as ingest-api: idempotent producer, acks -1 (all in-sync replicas). No validation,
 * no logging, no metrics. Runs the same number of processes as ingest-api (node:cluster).
 *
 * Modes:
 *   send    (the baseline): one producer.send() per request, as the kafkajs docs show it. An
 *           idempotent kafkajs producer holds one request in flight per broker, so concurrent
 *           sends queue behind each other.
 *   batched (for context): requests that arrive while a send is in flight go together in the
 *           next sendBatch(), the technique ingest-api's BatchingProducer uses, in ~20 lines.
 *
 *   node ingest-baseline.js --port 9500 --brokers 127.0.0.1:9092 --topic t.north-updates --workers 2 --mode send
 */
import cluster from 'node:cluster';
import Fastify from 'fastify';
import { Headers, NORTH_EVENT_VERSION, newMessageId, type NorthRequest } from '@herald/contracts';
import { createKafka } from '@herald/kafka';
import { createLogger } from '@herald/runtime';
import { argValue, onStop } from './receipts';

const workers = Number(argValue('workers', '1'));
const mode = argValue('mode', 'send');

async function serve(): Promise<void> {
  const topic = argValue('topic');
  const kafka = createKafka({ brokers: argValue('brokers').split(','), clientId: 'bench-ingest-baseline' }, createLogger({ service: 'bench-ingest-baseline', level: 'warn' }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();

  type Record = { key: string; value: string; headers: { [k: string]: string } };
  let waiting: Array<{ record: Record; done: (error?: unknown) => void }> = [];
  let inFlight = false;
  const pump = () => {
    if (inFlight || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    inFlight = true;
    producer
      .sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch.map((b) => b.record) }] })
      .then(
        () => batch.forEach((b) => b.done()),
        (error: unknown) => batch.forEach((b) => b.done(error)),
      )
      .finally(() => {
        inFlight = false;
        pump();
      });
  };
  const produce = (record: Record): Promise<void> =>
    mode === 'batched'
      ? new Promise<void>((resolve, reject) => {
          waiting.push({ record, done: (error) => (error ? reject(error) : resolve()) });
          pump();
        })
      : producer.send({ topic, acks: -1, messages: [record] }).then(() => undefined);

  const app = Fastify({ logger: false });
  app.post('/v1/North', async (request, reply) => {
    const body = request.body as NorthRequest;
    const acceptedAt = new Date();
    const messageId = newMessageId(acceptedAt.getTime());
    const event = { v: NORTH_EVENT_VERSION, kind: 'message.accepted', messageId, acceptedAt: acceptedAt.toISOString(), client: 'default', request: body };
    await produce({ key: messageId, value: JSON.stringify(event), headers: { [Headers.SchemaVersion]: String(NORTH_EVENT_VERSION) } });
    return reply
      .code(202)
      .header('location', `/v1/messages/${messageId}`)
      .send({ id: messageId, status: 'accepted', deliveries: body.channels.map((channel) => ({ channel, status: 'accepted' })) });
  });
  app.get('/readyz', async () => ({ ok: true }));
  await app.listen({ port: Number(argValue('port')), host: '127.0.0.1' });
  onStop(async () => {
    await app.close();
    await producer.disconnect();
  });
}

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  onStop(
    () =>
      new Promise<void>((resolve) => {
        let left = Object.keys(cluster.workers ?? {}).length;
        if (left === 0) resolve();
        cluster.on('exit', () => {
          left -= 1;
          if (left <= 0) resolve();
        });
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      }),
  );
} else {
  serve().catch((error: unknown) => {
    process.stderr.write(`ingest baseline failed: ${String(error)}\n`);
    process.exit(1);
  });
}
