/**
 * Stage 5, the webhook worker: signed webhook calls per second to a counting receiver.
 *
 * The bare loop (fetch, standardwebhooks to sign) POSTs the same payload with the same headers
 * and the same calls in flight as the webhook-worker's WORKER_CONCURRENCY, for the warm-up plus
 * the window. Then the worker gets a supply sized from that: WebhookQueue jobs for ENDPOINTS
 * endpoints recorded in tracking (secrets sealed as the API seals them), queued as the fan-out
 * queues them, before the worker starts; the rate is counted at the receiver over the same window.
 * Each Herald call also reads its endpoint (cached), opens its secret, passes the per-endpoint
 * concurrency cap (a Redis semaphore), checks the target address at connect time and records the
 * attempt in tracking. The per-endpoint rate cap is off (WEBHOOK_ENDPOINT_RATE_PER_SEC=0), as the
 * bare loop has none; the concurrency cap is the default (10 per endpoint, 10 endpoints).
 */
import { randomBytes } from 'node:crypto';
import { JOB_VERSION, Queues, deliveryIdFor, makeDeliveryEvent, newMessageId, type WebhookJob } from '@herald/contracts';
import { Queue, createRedis, deliveryJobOptions } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { freePort, type HeraldStack } from '@herald/testing';
import { WebhookRepository, createDatabase } from '@herald/tracking';
import { SecretBox, newSigningSecret, toDeliveryPayload, webhookIdFor } from '@herald/webhooks';
import { SinkClient, stageScope, startProc, startService, startStack, type BenchContext } from '../context';
import { INFRA_GROUPS, ResourceMonitor } from '../resources';
import type { StageResult } from '../results';
import { ratio } from '../stats';
import { measureDrain, sideDetail } from './measure';

const silent = createLogger({ service: 'bench', level: 'silent' });

/** The webhook-worker's default WORKER_CONCURRENCY, given to both sides explicitly. */
export const WEBHOOK_CONCURRENCY = 50;
const ENDPOINTS = 10;

async function registerEndpoints(stack: HeraldStack, box: SecretBox, url: string): Promise<string[]> {
  const database = createDatabase({ databaseUrl: stack.database.url, poolSize: 1 });
  try {
    const repository = new WebhookRepository(database.sql);
    const ids: string[] = [];
    for (let i = 0; i < ENDPOINTS; i += 1) {
      const id = newMessageId();
      await repository.create({ id, client: 'bench', url, description: `bench ${i}`, eventTypes: ['*'], enabled: true, sealedSecret: box.seal(newSigningSecret(), id) });
      ids.push(id);
    }
    return ids;
  } finally {
    await database.close();
  }
}

async function seed(ctx: BenchContext, stack: HeraldStack, endpoints: readonly string[], count: number): Promise<void> {
  const redis = createRedis(stack.services.redisUrl, 'producer', silent);
  const queue = new Queue<WebhookJob>(Queues.Webhook, { connection: redis, prefix: stack.queuePrefix, defaultJobOptions: deliveryJobOptions() });
  try {
    const createdAt = new Date().toISOString();
    for (let i = 0; i < count; i += 1_000) {
      const jobs: Array<{ name: string; data: WebhookJob; opts: { jobId: string } }> = [];
      for (let j = i; j < Math.min(count, i + 1_000); j += 1) {
        const messageId = newMessageId();
        const event = makeDeliveryEvent({ messageId, deliveryId: deliveryIdFor(messageId, 'sms'), channel: 'sms', type: 'sent', generation: 0, attempt: 1, provider: 'http', providerMessageId: 'sink-1' });
        const endpointId = endpoints[j % endpoints.length] as string;
        const webhookId = webhookIdFor(event.eventId, endpointId);
        jobs.push({ name: 'delivery.sent', data: { v: JOB_VERSION, webhookId, endpointId, client: 'bench', createdAt, payload: toDeliveryPayload(event, { orderId: 'bench' }) }, opts: { jobId: webhookId } });
      }
      await queue.addBulk(jobs);
      ctx.progress.update(`[webhook] seeding ${Math.min(count, i + 1_000).toLocaleString('en-US')} of ${count.toLocaleString('en-US')} webhook jobs`);
    }
  } finally {
    await queue.close();
    await redis.quit();
  }
}

export async function runWebhook(ctx: BenchContext): Promise<StageResult> {
  const scope = stageScope(ctx, 'webhook');
  try {
    ctx.progress.update('[webhook] preparing');
    const stack = await startStack(ctx, scope, 'webhook');
    const sinkPort = await freePort();
    const sinkProc = await startProc(scope, stack.name, 'webhook-sink', ['--port', String(sinkPort)], `http://127.0.0.1:${sinkPort}/healthz`);
    const sink = new SinkClient(`http://127.0.0.1:${sinkPort}`);
    const url = `http://127.0.0.1:${sinkPort}/hooks`;
    const count = async () => (await sink.stats()).count;
    const pids: { herald?: number | undefined; bare?: number | undefined } = {};
    const monitor = new ResourceMonitor({ 'webhook-worker': { roots: () => [pids.herald] }, 'bare-webhook': { roots: () => [pids.bare] }, sink: { roots: () => [sinkProc.pid] }, ...INFRA_GROUPS }).start();
    scope.add('monitor', () => monitor.stop());

    const healthPort = await freePort();
    const bareProc = await startProc(scope, stack.name, 'webhook-baseline', ['--url', url, '--concurrency', String(WEBHOOK_CONCURRENCY), '--secret', newSigningSecret(), '--health-port', String(healthPort)], `http://127.0.0.1:${healthPort}/`, (pid) => {
      pids.bare = pid;
      monitor.sample();
    });
    const bare = await measureDrain(ctx, 'webhook: bare signed fetch loop', count, { unit: 'calls', readyAt: Date.now() });
    monitor.sample();
    await bareProc.stop();
    await sink.reset();

    const key = randomBytes(32).toString('base64');
    const endpoints = await registerEndpoints(stack, new SecretBox(key), url);
    const supply = Math.round(Math.min(200_000, Math.max(1_000, bare.rate * (ctx.options.warmupS + ctx.options.durationS) * 1.1)));
    await seed(ctx, stack, endpoints, supply);
    await startService(ctx, scope, stack, 'webhook-worker', { WEBHOOK_SECRETS_KEY: key, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WORKER_CONCURRENCY: String(WEBHOOK_CONCURRENCY), WEBHOOK_ENDPOINT_RATE_PER_SEC: '0' }, (pid) => {
      pids.herald = pid;
      monitor.sample();
    });
    const herald = await measureDrain(ctx, 'webhook: webhook-worker', count, { total: supply, unit: 'calls', readyAt: Date.now() });
    monitor.stop();
    return {
      value: herald.rate,
      baseline: bare.rate,
      ratio: ratio(herald.rate, bare.rate),
      unit: 'calls/s',
      herald: sideDetail(herald, monitor, 'webhook-worker'),
      bare: sideDetail(bare, monitor, 'bare-webhook'),
      baseline_is: `bare fetch() POST loop, ${WEBHOOK_CONCURRENCY} calls in flight, each signed with standardwebhooks, same payload and headers, same counting receiver`,
    };
  } finally {
    const failures = await scope.close();
    ctx.problems.push(...failures.map((f) => `webhook cleanup: ${f}`));
  }
}
