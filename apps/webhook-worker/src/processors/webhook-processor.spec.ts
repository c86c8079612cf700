import { JOB_VERSION, deliveryIdFor, makeDeliveryEvent, newMessageId, type WebhookJob } from '@herald/contracts';
import { createLogger } from '@herald/runtime';
import type { NewWebhookAttempt } from '@herald/tracking';
import { WebhookSigner, newSigningSecret, retrySchedule, toDeliveryPayload, type CallResult } from '@herald/webhooks';
import { Webhook } from 'standardwebhooks';
import type { ResolvedEndpoint } from '../endpoint-cache';
import { RetryWebhookError, WebhookFailedError, createWebhookProcessor } from './webhook-processor';

const secret = newSigningSecret();
const now = new Date('2026-12-01T12:00:00Z');

function setup(options: { answer?: CallResult; endpoint?: Partial<ResolvedEndpoint> | null; wait?: number; failingSince?: Date | null } = {}) {
  const endpointId = newMessageId();
  const endpoint: ResolvedEndpoint | null =
    options.endpoint === null ? null : { id: endpointId, client: 'acme', url: 'https://hooks.example.com/x', enabled: true, signer: new WebhookSigner([secret]), failingSince: options.failingSince ?? null, ...options.endpoint };
  const sent: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const recorded: Array<{ attempt: NewWebhookAttempt; succeeded: boolean | null }> = [];
  const disabled: Array<[string, string]> = [];
  const released: string[] = [];
  const processor = createWebhookProcessor({
    endpoint: async () => endpoint,
    forget: () => undefined,
    admit: async (id) => (options.wait ? { kind: 'wait', ms: options.wait } : { kind: 'admitted', release: async () => void released.push(id) }),
    send: async (url, headers, body) => (sent.push({ url, headers, body }), options.answer ?? { kind: 'answered', status: 204, retryAfter: null, body: '', durationMs: 3 }),
    record: async (attempt, succeeded) => (recorded.push({ attempt, succeeded }), { failingSince: succeeded ? null : (options.failingSince ?? new Date()) }),
    disable: async (id, reason) => (disabled.push([id, reason]), true),
    schedule: retrySchedule(['1s', '1m']),
    disableAfterMs: 86_400_000,
    newId: () => newMessageId(),
    now: () => new Date(),
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  const messageId = newMessageId();
  const event = makeDeliveryEvent({ messageId, deliveryId: deliveryIdFor(messageId, 'sms'), channel: 'sms', type: 'delivered', generation: 0, attempt: 1 });
  const data: WebhookJob = { v: JOB_VERSION, webhookId: 'msg_abc', endpointId, client: 'acme', createdAt: now.toISOString(), payload: toDeliveryPayload(event, {}) };
  return { processor, sent, recorded, disabled, released, data, endpointId };
}

describe('the webhook processor', () => {
  it('posts the payload signed to the Standard Webhooks specification and records the success', async () => {
    const { processor, sent, recorded, released, data, endpointId } = setup();
    await expect(processor({ data, attemptsMade: 0 })).resolves.toEqual({ kind: 'succeeded', status: 204, attempt: 1 });
    const call = sent[0];
    expect(call?.headers['webhook-id']).toBe('msg_abc');
    expect(new Webhook(secret).verify(call?.body ?? '', call?.headers ?? {})).toEqual(data.payload);
    expect(recorded).toMatchObject([{ attempt: { status: 'succeeded', attempt: 1, responseStatus: 204, webhookId: 'msg_abc', messageId: data.payload.type === 'webhook.test' ? null : data.payload.data.messageId }, succeeded: true }]);
    expect(released).toEqual([endpointId]);
  });

  it('retries a failed call on the schedule, at least as late as Retry-After asks', async () => {
    const { processor, recorded, data } = setup({ answer: { kind: 'answered', status: 503, retryAfter: '30', body: 'busy', durationMs: 5 } });
    const error = await processor({ data, attemptsMade: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryWebhookError);
    expect((error as RetryWebhookError).retryDelayMs).toBe(30_000);
    expect(recorded[0]?.attempt).toMatchObject({ status: 'retrying', responseStatus: 503, error: 'HTTP 503', response: 'busy' });
    expect(recorded[0]?.attempt.nextAttemptAt).toBeInstanceOf(Date);
  });

  it('fails the event for good after the last call of the schedule (a replayable dead letter)', async () => {
    const { processor, recorded, data } = setup({ answer: { kind: 'error', code: 'ECONNREFUSED', message: 'connection refused', durationMs: 1 } });
    await expect(processor({ data, attemptsMade: 2 })).rejects.toBeInstanceOf(WebhookFailedError);
    expect(recorded[0]?.attempt).toMatchObject({ status: 'failed', attempt: 3, error: 'ECONNREFUSED: connection refused', nextAttemptAt: null });
  });

  it('disables the endpoint at once when it answers 410 Gone', async () => {
    const { processor, disabled, recorded, data, endpointId } = setup({ answer: { kind: 'answered', status: 410, retryAfter: null, body: '', durationMs: 2 } });
    await expect(processor({ data, attemptsMade: 0 })).rejects.toBeInstanceOf(WebhookFailedError);
    expect(recorded[0]?.attempt.status).toBe('failed');
    expect(disabled).toEqual([[endpointId, expect.stringMatching(/410 Gone/)]]);
  });

  it('disables an endpoint that has failed for longer than the limit', async () => {
    const { processor, disabled, data, endpointId } = setup({ answer: { kind: 'answered', status: 500, retryAfter: null, body: '', durationMs: 2 }, failingSince: new Date(Date.now() - 2 * 86_400_000) });
    await expect(processor({ data, attemptsMade: 0 })).rejects.toBeInstanceOf(WebhookFailedError);
    expect(disabled).toEqual([[endpointId, expect.stringMatching(/every call failed since/)]]);
  });

  it('records a skip for a disabled endpoint, drops the job of a deleted one, and waits when the endpoint is at its cap', async () => {
    const disabledEndpoint = setup({ endpoint: { enabled: false } });
    await expect(disabledEndpoint.processor({ data: disabledEndpoint.data, attemptsMade: 0 })).resolves.toEqual({ kind: 'skipped' });
    expect(disabledEndpoint.recorded[0]?.attempt.status).toBe('skipped');
    expect(disabledEndpoint.sent).toEqual([]);

    const deleted = setup({ endpoint: null });
    await expect(deleted.processor({ data: deleted.data, attemptsMade: 0 })).resolves.toEqual({ kind: 'dropped' });

    const busy = setup({ wait: 700 });
    await expect(busy.processor({ data: busy.data, attemptsMade: 0 })).resolves.toEqual({ kind: 'wait', ms: 700 });
    expect(busy.sent).toEqual([]);
    expect(busy.recorded).toEqual([]);
  });

  it('refuses a job that breaks its contract', async () => {
    const { processor, data } = setup();
    await expect(processor({ data: { ...data, webhookId: 'has spaces' }, attemptsMade: 0 })).rejects.toThrow(/WebhookJob/);
  });
});
