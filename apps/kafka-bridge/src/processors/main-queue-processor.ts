/**
 * MainQueueProcessor: routes each delivery of a NotificationQueue job to its channel's queue
 * (EmailQueue, SmsQueue) with a job id derived from delivery and generation, then reports
 * "queued" for each. Both steps are idempotent, so a retried job neither doubles a channel job
 * nor doubles history. A job that breaks its contract cannot succeed on retry: it fails at once.
 * Each channel job gets a BullMQ priority from the fair-share scheduler: high-priority messages
 * first, then the clients' jobs interleaved one each (libs/queues FairShare).
 */
import {
  makeDeliveryEvent,
  deliveryJobId,
  Queues,
  notificationJobValidator,
  ContractViolationError,
  type Channel,
  type DeliveryEvent,
  type EmailJob,
  type NotificationJob,
  type SmsJob,
} from '@herald/contracts';
import { UnrecoverableError } from '@herald/queues';

export interface ChannelEnqueuer<T> {
  addBulk(jobs: Array<{ name: string; data: T; opts: { jobId: string; priority?: number } }>): Promise<unknown>;
}

export interface PriorityPort {
  /** BullMQ priorities for jobs of these clients in one channel queue, in order. */
  priorities(queue: string, jobs: ReadonlyArray<{ client: string | undefined; high: boolean }>): Promise<number[]>;
}

export interface MainQueueDeps {
  email: ChannelEnqueuer<EmailJob>;
  sms: ChannelEnqueuer<SmsJob>;
  /** Fair share and priorities; absent: plain FIFO queues. */
  fairShare?: PriorityPort;
  reporter: { report(events: readonly DeliveryEvent[]): Promise<void> };
  now?: () => Date;
}

export interface RouteResult {
  routed: number;
  failed: number;
}

export function createMainQueueProcessor(deps: MainQueueDeps) {
  const now = deps.now ?? (() => new Date());
  return async function mainQueueProcessor(job: { data: unknown }): Promise<RouteResult> {
    let data: NotificationJob;
    try {
      data = notificationJobValidator.parse(job.data);
    } catch (error) {
      if (error instanceof ContractViolationError) throw new UnrecoverableError(error.message);
      throw error;
    }
    const email: Array<{ name: string; data: EmailJob; opts: { jobId: string; priority?: number } }> = [];
    const sms: Array<{ name: string; data: SmsJob; opts: { jobId: string; priority?: number } }> = [];
    const events: DeliveryEvent[] = [];
    const at = now();
    for (const d of data.deliveries) {
      const base = { v: 1 as const, messageId: data.messageId, ...(data.client ? { client: data.client } : {}), deliveryId: d.deliveryId, generation: d.generation, acceptedAt: data.acceptedAt };
      const event = (type: 'queued' | 'failed', error?: { code: string; message: string; permanent: boolean }) =>
        makeDeliveryEvent({ messageId: data.messageId, deliveryId: d.deliveryId, channel: d.channel, type, generation: d.generation, attempt: 0, at, ...(error ? { error } : {}) });
      const missing = missingFor(d.channel, data);
      if (missing) {
        events.push(event('failed', { code: 'INVALID_MESSAGE', message: missing, permanent: true }));
        continue;
      }
      const jobId = deliveryJobId(d.deliveryId, d.generation);
      if (d.channel === 'email' && data.to.email && data.email) {
        email.push({ name: 'email', data: { ...base, to: data.to.email, content: data.email }, opts: { jobId } });
      } else if (d.channel === 'sms' && data.to.phone && data.sms) {
        sms.push({ name: 'sms', data: { ...base, to: data.to.phone, content: data.sms }, opts: { jobId } });
      }
      events.push(event('queued'));
    }
    if (deps.fairShare) {
      const high = data.priority === 'high';
      const prioritize = async (queue: string, jobs: Array<{ opts: { priority?: number } }>) => {
        if (!jobs.length || !deps.fairShare) return;
        const priorities = await deps.fairShare.priorities(queue, jobs.map(() => ({ client: data.client, high })));
        jobs.forEach((j, i) => (j.opts.priority = priorities[i] ?? 1));
      };
      await Promise.all([prioritize(Queues.Email, email), prioritize(Queues.Sms, sms)]);
    }
    await Promise.all([email.length ? deps.email.addBulk(email) : undefined, sms.length ? deps.sms.addBulk(sms) : undefined]);
    await deps.reporter.report(events);
    return { routed: email.length + sms.length, failed: events.filter((e) => e.type === 'failed').length };
  };
}

function missingFor(channel: Channel, job: NotificationJob): string | undefined {
  if (channel === 'email') return !job.to.email ? 'no email address' : !job.email ? 'no email content' : undefined;
  return !job.to.phone ? 'no phone number' : !job.sms ? 'no SMS content' : undefined;
}
