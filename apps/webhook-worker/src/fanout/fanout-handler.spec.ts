import { deliveryIdFor, makeDeliveryEvent, newMessageId, webhookJobValidator } from '@herald/contracts';
import type { ConsumedRecord } from '@herald/kafka';
import { createLogger } from '@herald/runtime';
import type { FanOutTarget } from '@herald/tracking';
import { webhookIdFor } from '@herald/webhooks';
import { createFanOutHandler, deliveryEvents, fanOut } from './fanout-handler';

const record = (value: unknown): ConsumedRecord => ({ topic: 't', partition: 0, offset: '0', key: null, value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers: {}, timestamp: '0' });

describe('the fan-out of south-updates', () => {
  const messageId = newMessageId();
  const deliveryId = deliveryIdFor(messageId, 'email');
  const sent = makeDeliveryEvent({ messageId, deliveryId, channel: 'email', type: 'sent', generation: 0, attempt: 1 });
  const queued = makeDeliveryEvent({ messageId, deliveryId, channel: 'email', type: 'queued', generation: 0, attempt: 0 });
  // Workers no longer report "sending" (the ledger records it); one from an older worker goes nowhere.
  const sending = makeDeliveryEvent({ messageId, deliveryId, channel: 'email', type: 'sending', generation: 0, attempt: 1 });
  const everything: FanOutTarget = { messageId, client: 'acme', metadata: { order: 7 }, endpointId: newMessageId(), eventTypes: ['*'] };
  const onlySent: FanOutTarget = { ...everything, endpointId: newMessageId(), eventTypes: ['delivery.sent'] };

  it('keeps delivery events and leaves receipts and poison to the bridge', () => {
    const events = deliveryEvents([record(sent), record({ v: 1, kind: 'provider.receipt' }), record('not json'), record({ ...sent, type: 'nonsense' })]);
    expect(events).toEqual([sent]);
  });

  it('makes one valid job per event and endpoint that wants its type, its id the webhook-id derived from both', () => {
    const jobs = fanOut([queued, sending, sent], [everything, onlySent], new Date());
    expect(jobs.map((j) => [j.data.endpointId, j.data.payload.type])).toEqual([
      [everything.endpointId, 'delivery.queued'],
      [everything.endpointId, 'delivery.sent'],
      [onlySent.endpointId, 'delivery.sent'],
    ]);
    for (const job of jobs) {
      expect(webhookJobValidator.errors(job.data)).toEqual([]);
      expect(job.jobId).toBe(webhookIdFor(job.data.payload.type === 'delivery.sent' ? sent.eventId : queued.eventId, job.data.endpointId));
      expect(job.data.payload.type === 'webhook.test' ? null : job.data.payload.data.metadata).toEqual({ order: 7 });
    }
    expect(fanOut([sent], [everything], new Date())[0]?.jobId).toBe(jobs[1]?.jobId);
  });

  it('looks endpoints up once per batch and hands every job over before returning', async () => {
    const lookups: string[][] = [];
    const enqueued: string[] = [];
    const handler = createFanOutHandler({
      targets: async (ids) => (lookups.push([...ids]), [everything]),
      enqueue: async (jobs) => void enqueued.push(...jobs.map((j) => j.jobId)),
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    await handler([record(queued), record(sent), record(sent)], { heartbeat: async () => undefined });
    expect(lookups).toEqual([[messageId]]);
    expect(enqueued).toHaveLength(3);
    expect(new Set(enqueued).size).toBe(2);
  });
});
