/**
 * deliver(): one attempt at one delivery, guarded by the send ledger.
 *
 *   expired?            -> failed (EXPIRED)
 *   choose a provider (ProviderRouter: order, weights, breakers, rate limits, pauses):
 *     none available    -> ProvidersUnavailableError: wait, no attempt spent
 *   claim the ledger for it (which also checks the client's suppression list):
 *     suppressed        -> failed (SUPPRESSED), no provider call
 *     already-sent      -> report sent again (same event id: a no-op downstream), done
 *     closed            -> report failed again if it failed, done
 *     held              -> SendHeldError: wait for the other worker's lease
 *     in-doubt          -> at the provider that held the send, never another: ask it (lookup)
 *                          or rely on its deduplication; else policy
 *     claimed           -> send
 *   send:
 *     ok                -> ledger sent, report sent
 *     permanent error   -> ledger failed, report failed, DeliveryFailedError
 *     throttled (429)   -> provider paused for the time it asked, ledger released without
 *                          spending an attempt, ProviderThrottledError: wait
 *     transient error   -> last attempt or too old? failed : ledger released (or left claimed if
 *                          the outcome is unknown), report attempt_failed with the retry time,
 *                          RetryLaterError
 *
 * "sending" is not reported as an event: the ledger's claim records it (tracking shows a delivery
 * whose claim is held as sending), which saves a Kafka record and a database update per attempt.
 */
import { makeDeliveryEvent, suppressionAddress, type Channel, type DeliveryError, type DeliveryEvent, type DeliveryJob } from '@herald/contracts';
import { backoffDelayMs } from '@herald/runtime';
import { DeliveryFailedError, ProvidersUnavailableError, RetryLaterError, SendHeldError } from './errors';
import type { DeliveryPolicy } from './policy';
import type { SendLedgerPort, StatusReporter } from './ports';
import { ProviderError } from './provider';
import type { ProviderRouter } from './routing';
import { safeSummary } from './summary';

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DeliverDeps<J extends DeliveryJob> {
  channel: Channel;
  router: ProviderRouter<J>;
  ledger: SendLedgerPort;
  reporter: StatusReporter;
  policy: DeliveryPolicy;
  log: DeliveryLog;
  now?: () => Date;
  random?: () => number;
}

export interface AttemptContext {
  /** Identifies this processing of the job (e.g. host/pid/job/token): the ledger's claim holder. */
  holder: string;
  /** Aborted when the worker is closing for good. */
  signal?: AbortSignal;
}

export type DeliveryOutcome =
  | { kind: 'sent'; attempt: number; providerMessageId: string | null }
  | { kind: 'already-sent'; attempt: number }
  | { kind: 'skipped'; reason: string };

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Not classified by the provider: retry, and treat the outcome as unknown to be safe.
  return new ProviderError(message, { code: 'UNEXPECTED', permanent: false, outcomeUnknown: true, cause: error });
}

/** How a failure is kept in the ledger's error column: "CODE: message". */
export function ledgerErrorText(error: { code: string; message: string }): string {
  return `${error.code}: ${error.message}`;
}

/** The code and message back from the ledger's error column. */
export function parseLedgerErrorText(text: string | null): { code: string; message: string } {
  const [code = 'FAILED', ...rest] = (text ?? 'FAILED: failed').split(': ');
  return { code, message: rest.join(': ') || code };
}

export interface FailureTarget {
  messageId: string;
  deliveryId: string;
  channel: Channel;
  generation: number;
  /** The provider whose answer failed it, when one did. */
  provider?: string;
}

/**
 * Fails a delivery for good in its generation: the ledger first (durable, and it refuses to turn
 * a sent delivery into a failed one), then the "failed" status event after any `before` events.
 * Returns the attempt the ledger counted.
 */
export async function recordFailure(target: FailureTarget, error: DeliveryError, deps: { ledger: SendLedgerPort; reporter: StatusReporter }, now: () => Date, before: DeliveryEvent[] = []): Promise<number> {
  const attempt = await deps.ledger.markFailed(target.deliveryId, target.generation, ledgerErrorText(error));
  await deps.reporter.report([...before, makeDeliveryEvent({ ...target, type: 'failed', attempt, at: now(), error })]);
  return attempt;
}

export async function deliver<J extends DeliveryJob>(job: J, context: AttemptContext, deps: DeliverDeps<J>): Promise<DeliveryOutcome> {
  const { ledger, reporter, policy, router, channel, log } = deps;
  const now = deps.now ?? (() => new Date());
  const ids = { messageId: job.messageId, deliveryId: job.deliveryId, channel, generation: job.generation };
  const event = (type: DeliveryEvent['type'], attempt: number, extra: { providerMessageId?: string | null; provider?: string; error?: DeliveryError; retryAt?: Date } = {}) =>
    makeDeliveryEvent({ ...ids, type, attempt, at: now(), ...extra });
  const fail = async (error: DeliveryError, before: DeliveryEvent[] = []): Promise<never> => {
    const attempt = await recordFailure(ids, error, deps, now, before);
    log.warn({ ...ids, code: error.code, attempt }, 'delivery failed');
    throw new DeliveryFailedError(error.code, error.message);
  };
  const ageMs = now().getTime() - Date.parse(job.acceptedAt);
  if (ageMs > policy.maxAgeMs) {
    return fail({ code: 'EXPIRED', message: `not sent within ${Math.round(policy.maxAgeMs / 1000)} s of acceptance`, permanent: true });
  }

  const route = await router.choose(job.routing?.avoid);
  if (route.kind === 'wait') throw new ProvidersUnavailableError(new Date(route.untilMs), route.reason);
  let provider = route.provider;
  const claim = await ledger.claim({
    deliveryId: job.deliveryId,
    generation: job.generation,
    holder: context.holder,
    leaseMs: policy.leaseMs,
    provider: provider.name,
    ...(job.client ? { recipient: { client: job.client, channel, address: suppressionAddress(channel, job.to) } } : {}),
  });
  switch (claim.kind) {
    case 'suppressed':
      return fail({ code: 'SUPPRESSED', message: safeSummary('SUPPRESSED'), permanent: true });
    case 'already-sent':
      await reporter.report([event('sent', claim.attempt, { providerMessageId: claim.providerMessageId, ...(claim.provider ? { provider: claim.provider } : {}) })]);
      return { kind: 'already-sent', attempt: claim.attempt };
    case 'closed':
      if (claim.state === 'failed' && claim.generation === job.generation) {
        await reporter.report([event('failed', claim.attempt, { error: { ...parseLedgerErrorText(claim.error), permanent: true } })]);
      }
      return { kind: 'skipped', reason: `ledger is ${claim.state} at generation ${claim.generation}` };
    case 'held':
      throw new SendHeldError(claim.leaseUntil);
    case 'in-doubt': {
      // Only the provider that held the send can say whether it has it: never another one.
      const holder = claim.provider ? router.named(claim.provider) : provider;
      if (!holder) {
        return fail({ code: 'OUTCOME_UNKNOWN', message: `a previous send may or may not have reached ${claim.provider ?? 'its provider'}, which is no longer configured; not sending through another provider`, permanent: true });
      }
      provider = holder;
      const lookupSignal = AbortSignal.timeout(policy.sendTimeoutMs);
      const found = provider.lookup ? await provider.lookup(job, lookupSignal) : null;
      if (found) {
        await ledger.markSent(job.deliveryId, found.providerMessageId);
        await reporter.report([event('sent', claim.attempt, { providerMessageId: found.providerMessageId, provider: provider.name })]);
        log.info({ ...ids, previousHolder: claim.previousHolder }, 'in-doubt send found at the provider: not sending again');
        return { kind: 'sent', attempt: claim.attempt, providerMessageId: found.providerMessageId };
      }
      if (!provider.lookup && !provider.idempotent) {
        if (policy.inDoubt === 'fail') {
          return fail({ code: 'OUTCOME_UNKNOWN', message: 'a previous send may or may not have reached the provider; not resending (policy: fail)', permanent: true });
        }
        log.warn({ ...ids, previousHolder: claim.previousHolder }, 'resending a delivery whose previous send may have succeeded (policy: resend)');
      }
      break;
    }
    case 'claimed':
      break;
  }

  const attempt = claim.attempt;
  // The attempts that count against DELIVERY_MAX_ATTEMPTS (calls a provider throttled do not).
  const charged = claim.charged;
  const probe = route.probe && provider === route.provider;
  const signal = context.signal ? AbortSignal.any([context.signal, AbortSignal.timeout(policy.sendTimeoutMs)]) : AbortSignal.timeout(policy.sendTimeoutMs);
  let receipt;
  try {
    receipt = await provider.send(job, signal);
  } catch (caught) {
    const error = asProviderError(caught);
    // The provider's own text stays in the log; the events (what clients see) carry Herald's summary.
    log.info({ ...ids, attempt, provider: provider.name, code: error.code, permanent: error.permanent, outcomeUnknown: error.outcomeUnknown, providerError: error.message }, 'provider call failed');
    const detail: DeliveryError = { code: error.code, message: error.summary, permanent: error.permanent, ...(error.permanent && error.suppress ? { suppress: error.suppress } : {}) };
    if (error.throttled && !error.permanent && !error.outcomeUnknown) {
      // The provider asked to slow down: it is paused for the time it asked (every replica), and
      // this call spends none of the delivery's attempts.
      const pauseMs = Math.max(250, error.retryAfterMs ?? 1_000);
      await router.record(provider.name, 'throttled', { probe, retryAfterMs: pauseMs });
      await ledger.release(job.deliveryId, context.holder, ledgerErrorText(detail), { throttled: true });
      const until = new Date(now().getTime() + pauseMs);
      await reporter.report([event('attempt_failed', attempt, { error: detail, retryAt: until, provider: provider.name })]);
      throw new ProvidersUnavailableError(until, `${provider.name} asked Herald to slow down`);
    }
    await router.record(provider.name, error.permanent ? 'permanent' : 'transient', { probe });
    if (error.permanent) {
      const attempt = await recordFailure({ ...ids, provider: provider.name }, detail, deps, now);
      log.warn({ ...ids, code: detail.code, attempt }, 'delivery failed');
      throw new DeliveryFailedError(detail.code, detail.message);
    }
    const delay = Math.max(error.retryAfterMs ?? 0, backoffDelayMs(charged, policy.backoff, deps.random));
    const retryAt = new Date(now().getTime() + delay);
    if (charged >= policy.maxAttempts) {
      return fail({ code: error.code, message: `gave up after ${charged} attempts: ${error.summary}`, permanent: true }, [event('attempt_failed', attempt, { error: detail })]);
    }
    if (retryAt.getTime() - Date.parse(job.acceptedAt) > policy.maxAgeMs) {
      return fail({ code: 'EXPIRED', message: `not sent within ${Math.round(policy.maxAgeMs / 1000)} s of acceptance; last error ${error.code}: ${error.summary}`, permanent: true }, [
        event('attempt_failed', attempt, { error: detail }),
      ]);
    }
    // Definitely not sent: free the claim. Outcome unknown: keep it; once the lease runs out the
    // next attempt finds the delivery in doubt and checks before sending again.
    if (!error.outcomeUnknown) await ledger.release(job.deliveryId, context.holder, ledgerErrorText(detail));
    await reporter.report([event('attempt_failed', attempt, { error: detail, retryAt, provider: provider.name })]);
    throw new RetryLaterError(`${error.code}: ${error.summary}`, error.code, delay, provider.name);
  }
  await router.record(provider.name, 'success', { probe });
  await ledger.markSent(job.deliveryId, receipt.providerMessageId);
  await reporter.report([event('sent', attempt, { providerMessageId: receipt.providerMessageId, provider: provider.name })]);
  return { kind: 'sent', attempt, providerMessageId: receipt.providerMessageId };
}
