/**
 * One WebhookQueue job: one event for one endpoint. `(job) => outcome`, with every effect behind
 * a dependency (no Redis, HTTP or database of its own), so it is unit-tested alone.
 *
 *   endpoint deleted            -> dropped (nothing to record: its attempts went with it)
 *   endpoint disabled           -> recorded `skipped` (replayable once enabled again)
 *   over the endpoint's caps    -> wait (the wiring moves the job to delayed; no attempt spent)
 *   2xx                         -> recorded `succeeded`; the endpoint's failing streak ends
 *   410 Gone                    -> recorded `failed`; the endpoint is disabled at once
 *   another answer or an error  -> recorded `retrying` with the time of the next call, and
 *                                  RetryWebhookError carries that delay (Retry-After honoured);
 *                                  after the last call of the schedule, or once the endpoint has
 *                                  failed for WEBHOOK_DISABLE_AFTER_MS (it is then disabled),
 *                                  recorded `failed` and WebhookFailedError (a dead letter:
 *                                  replayable through the API)
 * Every call made is recorded before the job moves on.
 */
import { HeraldError } from '@herald/errors';
import { webhookJobValidator, type WebhookAttemptStatus, type WebhookJob } from '@herald/contracts';
import type { Logger } from '@herald/runtime';
import type { NewWebhookAttempt } from '@herald/tracking';
import {
  describeFailure,
  disabledReason,
  failingTooLong,
  judgeCall,
  nextRetryDelayMs,
  retryAfterMs,
  type CallResult,
  type RetrySchedule,
} from '@herald/webhooks';
import type { ResolvedEndpoint } from '../endpoint-cache';
import type { Admission } from '../limits';

export interface WebhookProcessorDeps {
  endpoint(id: string): Promise<ResolvedEndpoint | null>;
  /** Forget a cached endpoint (after this worker disabled it). */
  forget(id: string): void;
  admit(endpointId: string): Promise<Admission>;
  send(url: string, headers: Record<string, string>, body: string): Promise<CallResult>;
  record(attempt: NewWebhookAttempt, callSucceeded: boolean | null): Promise<{ failingSince: Date | null }>;
  disable(endpointId: string, reason: string): Promise<boolean>;
  schedule: RetrySchedule;
  disableAfterMs: number;
  newId(): string;
  now(): Date;
  logger: Logger;
}

export type WebhookOutcome =
  | { kind: 'succeeded'; status: number; attempt: number }
  | { kind: 'skipped' }
  | { kind: 'dropped' }
  | { kind: 'wait'; ms: number };

/** The call failed; the next one is due after `retryDelayMs` (the `herald` backoff strategy reads it). */
export class RetryWebhookError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_WEBHOOK_WORKER_RETRY';
  constructor(
    message: string,
    readonly retryDelayMs: number,
  ) {
    super(message);
  }
}

/** No more calls for this event (out of attempts, 410 Gone, or the endpoint disabled for failing): a dead letter. */
export class WebhookFailedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_WEBHOOK_WORKER_FAILED';
  constructor(message: string) {
    super(message);
  }
}

export interface JobLike {
  id?: string | undefined;
  data: unknown;
  /** Calls already made and failed for this job (BullMQ's attemptsMade). */
  attemptsMade: number;
}

export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  return async function processWebhook(job: JobLike): Promise<WebhookOutcome> {
    const data: WebhookJob = webhookJobValidator.parse(job.data);
    const endpoint = await deps.endpoint(data.endpointId);
    if (!endpoint || endpoint.client !== data.client) return { kind: 'dropped' };
    const call = job.attemptsMade + 1;
    const base = attemptBase(data, call);
    if (!endpoint.enabled) {
      await deps.record({ ...base, id: deps.newId(), status: 'skipped', responseStatus: null, error: 'not sent: the endpoint is disabled', response: null, durationMs: null, nextAttemptAt: null }, null);
      return { kind: 'skipped' };
    }
    const admission = await deps.admit(endpoint.id);
    if (admission.kind === 'wait') return admission;
    let result: CallResult;
    const at = deps.now();
    try {
      const body = JSON.stringify(data.payload);
      result = await deps.send(endpoint.url, { ...endpoint.signer.headers(data.webhookId, at, body) }, body);
    } finally {
      await admission.release().catch((error: unknown) => deps.logger.warn({ err: error, endpointId: endpoint.id }, 'could not release a webhook concurrency slot (its lease will expire)'));
    }
    const verdict = judgeCall(result);
    const answered = result.kind === 'answered' ? { responseStatus: result.status, response: result.body.slice(0, 1024) || null } : { responseStatus: null, response: null };
    const common = { ...base, ...answered, error: describeFailure(result), durationMs: result.durationMs, at };

    if (verdict.kind === 'success') {
      await deps.record({ ...common, id: deps.newId(), status: 'succeeded', nextAttemptAt: null }, true);
      return { kind: 'succeeded', status: (result as { status: number }).status, attempt: call };
    }
    if (verdict.kind === 'gone') {
      await deps.record({ ...common, id: deps.newId(), status: 'failed', nextAttemptAt: null }, false);
      await disableEndpoint(endpoint.id, disabledReason({ gone: true, at }));
      throw new WebhookFailedError('the endpoint answered 410 Gone; it is disabled');
    }
    // A failed call: retry on the schedule, unless it is over or the endpoint has failed too long.
    const failingSince = endpoint.failingSince ?? at;
    const tooLong = failingTooLong(failingSince, at, deps.disableAfterMs);
    const retryAfter = result.kind === 'answered' ? retryAfterMs(result.retryAfter, at.getTime()) : undefined;
    const delay = tooLong ? undefined : nextRetryDelayMs(deps.schedule, call, retryAfter === undefined ? {} : { retryAfterMs: retryAfter });
    const status: WebhookAttemptStatus = delay === undefined ? 'failed' : 'retrying';
    const recorded = await deps.record({ ...common, id: deps.newId(), status, nextAttemptAt: delay === undefined ? null : new Date(at.getTime() + delay) }, false);
    if (tooLong || failingTooLong(recorded.failingSince, at, deps.disableAfterMs)) {
      await disableEndpoint(endpoint.id, disabledReason({ failingSince: recorded.failingSince ?? failingSince, at }));
      if (delay !== undefined) throw new WebhookFailedError('the endpoint has failed for too long; it is disabled');
    }
    if (delay === undefined) throw new WebhookFailedError(`no call succeeded in ${call} attempts: ${common.error ?? 'failed'}`);
    throw new RetryWebhookError(common.error ?? 'the call failed', delay);
  };

  async function disableEndpoint(id: string, reason: string): Promise<void> {
    if (await deps.disable(id, reason)) deps.logger.warn({ endpointId: id, reason }, 'webhook endpoint disabled');
    deps.forget(id);
  }
}

function attemptBase(data: WebhookJob, call: number): Omit<NewWebhookAttempt, 'id' | 'status' | 'responseStatus' | 'error' | 'response' | 'durationMs' | 'nextAttemptAt'> {
  const delivery = data.payload.type === 'webhook.test' ? null : data.payload.data;
  return {
    endpointId: data.endpointId,
    webhookId: data.webhookId,
    eventType: data.payload.type,
    messageId: delivery?.messageId ?? null,
    deliveryId: delivery?.deliveryId ?? null,
    attempt: call,
    replayOf: data.replayOf ?? null,
    payload: data.payload,
  };
}
