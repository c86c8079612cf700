/**
 * MainQueueProcessor: routes each delivery of a NotificationQueue job (one message, or a batch of
 * messages as a Kafka batch brought them) to its channel's queue (EmailQueue, SmsQueue) with a job
 * id derived from delivery and generation, then reports "queued" for each: one addBulk per channel
 * queue and one Kafka request for the whole job. Both steps are idempotent, so a retried job
 * neither doubles a channel job nor doubles history. A message that breaks its contract cannot
 * succeed on retry: a single-message job fails at once; in a batch, that message's deliveries fail
 * (INVALID_MESSAGE) and the others go on.
 * Each channel job gets a BullMQ priority from the fair-share scheduler: high-priority messages
 * first, then the clients' jobs interleaved one each (libs/queues FairShare).
 */
import {
  makeDeliveryEvent,
  deliveryJobId,
  notificationBatchJobValidator,
  notificationJobValidator,
  Queues,
  ContractViolationError,
  type Channel,
  type DeliveryEvent,
  type EmailJob,
  type NotificationJob,
  type SmsJob,
} from '@herald/contracts';
import { UnrecoverableError } from '@herald/queues';

type ChannelJobEntry<T> = { name: string; data: T; opts: { jobId: string; priority?: number } };

export interface ChannelEnqueuer<T> {
  addBulk(jobs: Array<ChannelJobEntry<T>>): Promise<unknown>;
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
  /** Messages of a batch that broke their contract (skipped; the reconciler routes them again from tracking). */
  invalid?: number;
}

function missingFor(channel: Channel, job: NotificationJob): string | undefined {
  if (channel === 'email') return !job.to.email ? 'no email address' : !job.email ? 'no email content' : undefined;
  return !job.to.phone ? 'no phone number' : !job.sms ? 'no SMS content' : undefined;
}

/** Routes messages: one addBulk per channel queue and one report for all of them. */
export function createRouter(deps: MainQueueDeps) {
  const now = deps.now ?? (() => new Date());
  return async function route(messages: readonly NotificationJob[]): Promise<RouteResult> {
    const email: Array<ChannelJobEntry<EmailJob> & { fair: { client: string | undefined; high: boolean } }> = [];
    const sms: Array<ChannelJobEntry<SmsJob> & { fair: { client: string | undefined; high: boolean } }> = [];
    const events: DeliveryEvent[] = [];
    const at = now();
    for (const data of messages) {
      const fair = { client: data.client, high: data.priority === 'high' };
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
          email.push({ name: 'email', data: { ...base, to: data.to.email, content: data.email }, opts: { jobId }, fair });
        } else if (d.channel === 'sms' && data.to.phone && data.sms) {
          sms.push({ name: 'sms', data: { ...base, to: data.to.phone, content: data.sms }, opts: { jobId }, fair });
        }
        events.push(event('queued'));
      }
    }
    const add = async <T>(queue: string, jobs: Array<ChannelJobEntry<T> & { fair: { client: string | undefined; high: boolean } }>, to: ChannelEnqueuer<T>) => {
      if (!jobs.length) return;
      if (deps.fairShare) {
        const priorities = await deps.fairShare.priorities(queue, jobs.map((j) => j.fair));
        jobs.forEach((j, i) => (j.opts.priority = priorities[i] ?? 1));
      }
      await to.addBulk(jobs.map(({ name, data, opts }) => ({ name, data, opts })));
    };
    await Promise.all([add(Queues.Email, email, deps.email), add(Queues.Sms, sms, deps.sms)]);
    await deps.reporter.report(events);
    return { routed: email.length + sms.length, failed: events.filter((e) => e.type === 'failed').length };
  };
}

/** The NotificationQueue processor: a single message or a batch. */
export function createMainQueueProcessor(deps: MainQueueDeps) {
  const route = createRouter(deps);
  return async function mainQueueProcessor(job: { data: unknown }): Promise<RouteResult> {
    const data = job.data as { kind?: unknown; messages?: unknown } | null;
    if (data && typeof data === 'object' && data.kind === 'batch') {
      // Each message is checked on its own: one that breaks its contract does not hold up the rest.
      const messages = Array.isArray(data.messages) ? data.messages : [];
      const valid = messages.filter((m): m is NotificationJob => notificationJobValidator.check(m));
      const envelope = notificationBatchJobValidator.errors({ ...data, messages: valid.length ? valid : messages });
      if (envelope.length || valid.length === 0) throw new UnrecoverableError(`NotificationBatchJob is invalid: ${envelope.map((e) => `${e.field} ${e.message}`).join('; ') || 'no valid message'}`);
      const result = await route(valid);
      return messages.length > valid.length ? { ...result, invalid: messages.length - valid.length } : result;
    }
    try {
      return await route([notificationJobValidator.parse(job.data)]);
    } catch (error) {
      if (error instanceof ContractViolationError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
