/**
 * Stage 3, channel workers: deliveries sent per second to a counting sink.
 *
 * The bare loop (nodemailer pooled transport, or fetch) sends the same content to the same sink
 * with the same pool size and the same sends in flight, for the warm-up plus the window. Then
 * the worker gets a supply sized from that: the messages and deliveries are recorded in tracking
 * (the send ledger refers to them) and the channel jobs are queued exactly as the bridge queues
 * them, before the worker starts; the rate is counted at the sink over the same window. Each
 * Herald send also claims the ledger, marks it sent and reports "sending" and "sent" to Kafka.
 */
import { Queues, deliveryIdFor, deliveryJobId, newMessageId, type Channel, type EmailJob, type MessageAcceptedEvent, type SmsJob } from '@herald/contracts';
import { Queue, createRedis, deliveryJobOptions } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { freePort, type HeraldStack } from '@herald/testing';
import { TrackingService, createDatabase } from '@herald/tracking';
import { stageScope, startProc, startService, startSinks, startStack, type BenchContext, type SinkClient } from '../context';
import { requestFor } from '../mix';
import { INFRA_GROUPS, ResourceMonitor } from '../resources';
import type { StageResult } from '../results';
import { ratio } from '../stats';
import { measureDrain, sideDetail } from './measure';

const silent = createLogger({ service: 'bench', level: 'silent' });

/** The workers' defaults (WORKER_CONCURRENCY, SMTP_POOL_SIZE), given to both sides explicitly. */
export const WORKER_CONCURRENCY = 100;
export const SMTP_POOL_SIZE = 5;

/** Records `count` single-channel messages in tracking and queues their channel jobs (worker not running yet). */
async function seed(ctx: BenchContext, stack: HeraldStack, channel: Channel, count: number): Promise<void> {
  const database = createDatabase({ databaseUrl: stack.database.url, poolSize: 2 });
  const tracking = new TrackingService(database, silent);
  const redis = createRedis(stack.services.redisUrl, 'producer', silent);
  const queue = new Queue<EmailJob | SmsJob>(channel === 'email' ? Queues.Email : Queues.Sms, { connection: redis, prefix: stack.queuePrefix, defaultJobOptions: deliveryJobOptions() });
  try {
    for (let i = 0; i < count; i += 1_000) {
      const events: MessageAcceptedEvent[] = [];
      const jobs: Array<{ name: string; data: EmailJob | SmsJob; opts: { jobId: string } }> = [];
      for (let j = i; j < Math.min(count, i + 1_000); j += 1) {
        const request = requestFor(channel, j);
        const acceptedAt = new Date().toISOString();
        const messageId = newMessageId();
        events.push({ v: 1, kind: 'message.accepted', messageId, acceptedAt, client: 'default', request });
        const deliveryId = deliveryIdFor(messageId, channel);
        const base = { v: 1 as const, messageId, deliveryId, generation: 0, acceptedAt };
        const data: EmailJob | SmsJob =
          channel === 'email' ? { ...base, to: request.to.email as string, content: request.email as EmailJob['content'] } : { ...base, to: request.to.phone as string, content: request.sms as SmsJob['content'] };
        jobs.push({ name: channel, data, opts: { jobId: deliveryJobId(deliveryId, 0) } });
      }
      await tracking.recordAccepted(events);
      await queue.addBulk(jobs);
      ctx.progress.update(`[${channel}] seeding ${Math.min(count, i + 1_000).toLocaleString('en-US')} of ${count.toLocaleString('en-US')} deliveries (tracking + ${channel === 'email' ? Queues.Email : Queues.Sms})`);
    }
  } finally {
    await queue.close();
    await redis.quit();
    await database.close();
  }
}

export async function runWorker(ctx: BenchContext, channel: Channel): Promise<StageResult> {
  const scope = stageScope(ctx, channel);
  const app = channel === 'email' ? 'email-worker' : 'sms-worker';
  try {
    ctx.progress.update(`[${channel}] preparing`);
    const stack = await startStack(ctx, scope, channel);
    const sinks = await startSinks(scope, stack.name, channel === 'email' ? { smtp: true } : { sms: true });
    const sink = (channel === 'email' ? sinks.smtp : sinks.sms) as SinkClient;
    const sinkUrl = (channel === 'email' ? sinks.smtpUrl : sinks.smsUrl) as string;
    const count = async () => (await sink.stats()).count;
    const pids: { herald?: number | undefined; bare?: number | undefined } = {};
    const monitor = new ResourceMonitor({ [app]: { roots: () => [pids.herald] }, [`bare-${channel}`]: { roots: () => [pids.bare] }, sink: { roots: () => sinks.pids }, ...INFRA_GROUPS }).start();
    scope.add('monitor', () => monitor.stop());

    const healthPort = await freePort();
    const bareArgs =
      channel === 'email'
        ? ['--smtp-url', sinkUrl, '--pool', String(SMTP_POOL_SIZE), '--concurrency', String(WORKER_CONCURRENCY)]
        : ['--url', sinkUrl, '--concurrency', String(WORKER_CONCURRENCY)];
    const bareProc = await startProc(scope, stack.name, `${channel}-baseline`, [...bareArgs, '--health-port', String(healthPort)], `http://127.0.0.1:${healthPort}/`, (pid) => {
      pids.bare = pid;
      monitor.sample();
    });
    const bareLabel = channel === 'email' ? 'bare nodemailer loop' : 'bare fetch loop';
    const bare = await measureDrain(ctx, `${channel}: ${bareLabel}`, count, { unit: 'sent', readyAt: Date.now() });
    monitor.sample();
    await bareProc.stop();
    await sink.reset();

    const supply = Math.round(Math.min(200_000, Math.max(1_000, bare.rate * (ctx.options.warmupS + ctx.options.durationS) * 1.1)));
    await seed(ctx, stack, channel, supply);
    const env: Record<string, string> =
      channel === 'email'
        ? { SMTP_URL: sinkUrl, SMTP_POOL_SIZE: String(SMTP_POOL_SIZE), WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) }
        : { SMS_PROVIDER_URL: sinkUrl, WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) };
    await startService(ctx, scope, stack, app, env, (pid) => {
      pids.herald = pid;
      monitor.sample();
    });
    const herald = await measureDrain(ctx, `${channel}: ${app}`, count, { total: supply, unit: 'sent', readyAt: Date.now() });
    monitor.stop();
    return {
      value: herald.rate,
      baseline: bare.rate,
      ratio: ratio(herald.rate, bare.rate),
      unit: 'sent/s',
      herald: sideDetail(herald, monitor, app),
      bare: sideDetail(bare, monitor, `bare-${channel}`),
      baseline_is:
        channel === 'email'
          ? `bare nodemailer pooled transport (${SMTP_POOL_SIZE} connections), ${WORKER_CONCURRENCY} sendMail() in flight, same content and headers, same counting SMTP sink`
          : `bare fetch() POST loop, ${WORKER_CONCURRENCY} requests in flight, same body and headers, same counting HTTP sink`,
    };
  } finally {
    const failures = await scope.close();
    ctx.problems.push(...failures.map((f) => `${channel} cleanup: ${f}`));
  }
}
