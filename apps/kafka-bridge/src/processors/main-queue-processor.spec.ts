import { deliveryIdFor, deliveryJobId, newMessageId, type DeliveryEvent, type NotificationJob } from '@herald/contracts';
import { UnrecoverableError } from '@herald/queues';
import { createMainQueueProcessor, type ChannelEnqueuer } from './main-queue-processor';

class Recorder<T> implements ChannelEnqueuer<T> {
  jobs: Array<{ name: string; data: T; opts: { jobId: string } }> = [];
  async addBulk(jobs: Array<{ name: string; data: T; opts: { jobId: string } }>): Promise<void> {
    this.jobs.push(...jobs);
  }
}

function notification(overrides: Partial<NotificationJob> = {}): NotificationJob {
  const messageId = newMessageId();
  return {
    v: 1,
    messageId,
    acceptedAt: new Date().toISOString(),
    deliveries: [
      { deliveryId: deliveryIdFor(messageId, 'email'), channel: 'email', generation: 0 },
      { deliveryId: deliveryIdFor(messageId, 'sms'), channel: 'sms', generation: 0 },
    ],
    to: { email: 'ada@example.com', phone: '+447700900123' },
    email: { subject: 'Hi', text: 'Hello' },
    sms: { text: 'Hello' },
    ...overrides,
  };
}

function setup() {
  const email = new Recorder<unknown>();
  const sms = new Recorder<unknown>();
  const events: DeliveryEvent[] = [];
  const processor = createMainQueueProcessor({
    email: email as never,
    sms: sms as never,
    reporter: { report: async (e) => void events.push(...e) },
    now: () => new Date('2026-01-01T00:00:00.000Z'),
  });
  return { email, sms, events, processor };
}

describe('MainQueueProcessor', () => {
  it('routes each delivery to its channel queue with a job id per delivery and generation, then reports queued', async () => {
    const { email, sms, events, processor } = setup();
    const job = notification();
    await expect(processor({ data: job })).resolves.toEqual({ routed: 2, failed: 0 });
    const [emailDelivery, smsDelivery] = job.deliveries;
    expect(email.jobs).toEqual([
      { name: 'email', data: { v: 1, messageId: job.messageId, deliveryId: emailDelivery?.deliveryId, generation: 0, acceptedAt: job.acceptedAt, to: 'ada@example.com', content: job.email }, opts: { jobId: deliveryJobId(emailDelivery?.deliveryId ?? '', 0) } },
    ]);
    expect(sms.jobs[0]?.data).toMatchObject({ to: '+447700900123', content: { text: 'Hello' } });
    expect(sms.jobs[0]?.opts.jobId).toBe(deliveryJobId(smsDelivery?.deliveryId ?? '', 0));
    expect(events.map((e) => [e.channel, e.type, e.attempt])).toEqual([
      ['email', 'queued', 0],
      ['sms', 'queued', 0],
    ]);
  });

  it('routes only the channels the message asked for', async () => {
    const { email, sms, processor } = setup();
    const job = notification();
    await processor({ data: { ...job, deliveries: job.deliveries.filter((d) => d.channel === 'sms') } });
    expect(email.jobs).toHaveLength(0);
    expect(sms.jobs).toHaveLength(1);
  });

  it('fails a delivery whose channel content is missing, with the reason, and routes the rest', async () => {
    const { email, sms, events, processor } = setup();
    const { sms: _sms, ...withoutSms } = notification();
    await expect(processor({ data: withoutSms })).resolves.toEqual({ routed: 1, failed: 1 });
    expect(email.jobs).toHaveLength(1);
    expect(sms.jobs).toHaveLength(0);
    expect(events.find((e) => e.channel === 'sms')).toMatchObject({ type: 'failed', error: { code: 'INVALID_MESSAGE', message: 'no SMS content', permanent: true } });
  });

  it('refuses a job that breaks its contract without retrying it', async () => {
    const { processor } = setup();
    await expect(processor({ data: { v: 2, messageId: 'nope' } })).rejects.toBeInstanceOf(UnrecoverableError);
  });
});
