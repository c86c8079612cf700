import { deliveryIdFor, newMessageId, type DeliveryEvent, type EmailJob } from '@herald/contracts';
import { deliver, type DeliverDeps } from './deliver';
import { DeliveryFailedError, ProvidersUnavailableError, RetryLaterError, SendHeldError } from './errors';
import type { DeliveryPolicy } from './policy';
import { ProviderError, type DeliveryProvider, type ProviderReceipt } from './provider';
import { DEFAULT_BREAKER_POLICY } from './breaker';
import { ProviderRouter } from './routing';
import { MemoryLedger } from './testing/memory-ledger';
import { MemoryProviderState } from './testing/memory-provider-state';

const policy: DeliveryPolicy = {
  maxAttempts: 3,
  maxAgeMs: 60 * 60_000,
  sendTimeoutMs: 1_000,
  leaseMs: 5_000,
  backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
  inDoubt: 'resend',
};

function job(overrides: Partial<EmailJob> = {}): EmailJob {
  const messageId = newMessageId();
  return {
    v: 1,
    messageId,
    deliveryId: deliveryIdFor(messageId, 'email'),
    generation: 0,
    acceptedAt: new Date().toISOString(),
    to: 'ada@example.com',
    content: { subject: 'Hi', text: 'Hello' },
    ...overrides,
  };
}

class ScriptedProvider implements DeliveryProvider<EmailJob> {
  calls = 0;
  lookup: DeliveryProvider<EmailJob>['lookup'];
  constructor(
    private readonly script: Array<ProviderReceipt | ProviderError>,
    readonly idempotent = false,
    readonly name = 'scripted',
  ) {}
  async send(): Promise<ProviderReceipt> {
    const next = this.script[Math.min(this.calls, this.script.length - 1)];
    this.calls += 1;
    if (next instanceof ProviderError) throw next;
    return next ?? { providerMessageId: null };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class Reporter {
  events: DeliveryEvent[] = [];
  failNext = 0;
  async report(events: readonly DeliveryEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('Kafka is down');
    }
    this.events.push(...events);
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

const quiet = { info: () => undefined, warn: () => undefined };

function routerOf(providers: ScriptedProvider[], state = new MemoryProviderState()) {
  return new ProviderRouter<EmailJob>({ providers: providers.map((provider) => ({ provider, weight: 0 })), state, breaker: DEFAULT_BREAKER_POLICY, log: quiet });
}

function deps(provider: ScriptedProvider | ScriptedProvider[], overrides: Partial<DeliverDeps<EmailJob>> = {}) {
  const ledger = new MemoryLedger();
  const reporter = new Reporter();
  const state = new MemoryProviderState();
  const d: DeliverDeps<EmailJob> = {
    channel: 'email',
    router: routerOf(Array.isArray(provider) ? provider : [provider], state),
    ledger,
    reporter,
    policy,
    log: quiet,
    random: () => 0.5,
    ...overrides,
  };
  return { d, ledger, reporter, state };
}

const transient = () => new ProviderError('connection refused', { code: 'ECONNREFUSED', permanent: false });
const permanent = () => new ProviderError('550 mailbox unavailable', { code: 'SMTP_550', permanent: true });
const unknown = () => new ProviderError('socket reset', { code: 'ESOCKET', permanent: false, outcomeUnknown: true });

describe('deliver', () => {
  it('claims, sends, marks sent and reports sent (the claim records sending: no event of its own)', async () => {
    const provider = new ScriptedProvider([{ providerMessageId: '<x@y>' }]);
    const { d, ledger, reporter } = deps(provider);
    const j = job();
    await expect(deliver(j, { holder: 'w1' }, d)).resolves.toEqual({ kind: 'sent', attempt: 1, providerMessageId: '<x@y>' });
    expect(reporter.types()).toEqual(['sent']);
    expect(ledger.rows.get(j.deliveryId)?.state).toBe('sent');
    expect(reporter.events[0]).toMatchObject({ providerMessageId: '<x@y>', provider: 'scripted', attempt: 1, deliveryId: j.deliveryId });
  });

  it('never sends again once sent: a re-delivered job only reports sent again, with the same event id', async () => {
    const provider = new ScriptedProvider([{ providerMessageId: '<x@y>' }]);
    const { d, reporter } = deps(provider);
    const j = job();
    await deliver(j, { holder: 'w1' }, d);
    await expect(deliver(j, { holder: 'w2' }, d)).resolves.toEqual({ kind: 'already-sent', attempt: 1 });
    expect(provider.calls).toBe(1);
    const sent = reporter.events.filter((e) => e.type === 'sent');
    expect(sent).toHaveLength(2);
    expect(sent[0]?.eventId).toBe(sent[1]?.eventId);
  });

  it("fails at once with SUPPRESSED and no provider call when the recipient is on the client's suppression list", async () => {
    const provider = new ScriptedProvider([{ providerMessageId: 'x' }]);
    const { d, ledger, reporter } = deps(provider);
    ledger.suppress('acme', 'email', 'ada@example.com', 'hard_bounce');
    const j = job({ client: 'acme', to: 'Ada@Example.com' });
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toMatchObject({ code: 'SUPPRESSED' });
    expect(provider.calls).toBe(0);
    expect(reporter.events).toEqual([expect.objectContaining({ type: 'failed', error: expect.objectContaining({ code: 'SUPPRESSED', permanent: true }) })]);
    // Another client's list does not apply.
    await expect(deliver(job({ client: 'globex', to: 'ada@example.com' }), { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'sent' });
  });

  it('does not send while another worker holds the claim', async () => {
    const provider = new ScriptedProvider([{ providerMessageId: 'x' }]);
    const { d, ledger } = deps(provider);
    const j = job();
    await ledger.claim({ deliveryId: j.deliveryId, generation: 0, holder: 'other-worker', leaseMs: 60_000, provider: 'scripted' });
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(SendHeldError);
    expect(provider.calls).toBe(0);
  });

  it('retries a transient error later: releases the claim, reports the attempt with its retry time', async () => {
    const provider = new ScriptedProvider([transient(), { providerMessageId: 'ok' }]);
    const now = new Date('2026-01-01T00:00:00.000Z');
    const { d, ledger, reporter } = deps(provider, { now: () => now });
    const j = job({ acceptedAt: now.toISOString() });
    const error = await deliver(j, { holder: 'w1' }, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).retryDelayMs).toBe(1_000);
    expect(ledger.rows.get(j.deliveryId)?.state).toBe('released');
    expect(reporter.types()).toEqual(['attempt_failed']);
    expect(reporter.events[0]).toMatchObject({ error: { code: 'ECONNREFUSED', permanent: false }, retryAt: '2026-01-01T00:00:01.000Z' });
    await expect(deliver(j, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'sent', attempt: 2 });
  });

  it("keeps the provider's own text out of the events clients see, and logs it", async () => {
    const provider = new ScriptedProvider([new ProviderError('connect ECONNREFUSED 10.1.2.3:25 (smtp.internal.example)', { code: 'ECONNREFUSED', permanent: false })]);
    const logged: object[] = [];
    const { d, reporter } = deps(provider, { log: { info: (obj) => void logged.push(obj), warn: () => undefined } });
    await expect(deliver(job(), { holder: 'w1' }, d)).rejects.toBeInstanceOf(RetryLaterError);
    const shown = JSON.stringify(reporter.events);
    expect(shown).not.toMatch(/10\.1\.2\.3|smtp\.internal/);
    expect(reporter.events[0]?.error).toEqual({ code: 'ECONNREFUSED', message: 'the provider refused the connection', permanent: false });
    expect(logged).toContainEqual(expect.objectContaining({ code: 'ECONNREFUSED', providerError: 'connect ECONNREFUSED 10.1.2.3:25 (smtp.internal.example)' }));
  });

  it('honours a provider Retry-After longer than its own backoff', async () => {
    const provider = new ScriptedProvider([new ProviderError('503 maintenance', { code: 'HTTP_503', permanent: false, retryAfterMs: 30_000 })]);
    const { d } = deps(provider);
    const error = (await deliver(job(), { holder: 'w1' }, d).catch((e: unknown) => e)) as RetryLaterError;
    expect(error.retryDelayMs).toBe(30_000);
  });

  it('fails a permanent error at once, with the reason, and does not retry', async () => {
    const provider = new ScriptedProvider([permanent()]);
    const { d, ledger, reporter } = deps(provider);
    const j = job();
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(ledger.rows.get(j.deliveryId)?.state).toBe('failed');
    expect(reporter.types()).toEqual(['failed']);
    expect(reporter.events[0]?.error).toEqual({ code: 'SMTP_550', message: 'the mail server refused the message (SMTP 550)', permanent: true });
    await expect(deliver(j, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'skipped' });
    expect(provider.calls).toBe(1);
  });

  it('gives up after the maximum number of attempts, failing with the last error', async () => {
    const provider = new ScriptedProvider([transient()]);
    const { d, reporter } = deps(provider);
    const j = job();
    for (let i = 0; i < 2; i += 1) await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(RetryLaterError);
    const error = (await deliver(j, { holder: 'w1' }, d).catch((e: unknown) => e)) as DeliveryFailedError;
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error.message).toBe('gave up after 3 attempts: the provider refused the connection');
    expect(provider.calls).toBe(3);
    expect(reporter.types()).toEqual(['attempt_failed', 'attempt_failed', 'attempt_failed', 'failed']);
  });

  it('fails a delivery older than the maximum age without calling the provider', async () => {
    const provider = new ScriptedProvider([{ providerMessageId: 'x' }]);
    const { d, reporter } = deps(provider);
    const j = job({ acceptedAt: new Date(Date.now() - 2 * 60 * 60_000).toISOString() });
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toMatchObject({ code: 'EXPIRED' });
    expect(provider.calls).toBe(0);
    expect(reporter.events).toEqual([expect.objectContaining({ type: 'failed', error: expect.objectContaining({ code: 'EXPIRED' }) })]);
  });

  it('fails rather than retry when the next attempt would come after the maximum age', async () => {
    const provider = new ScriptedProvider([transient()]);
    const { d } = deps(provider, { policy: { ...policy, maxAgeMs: 60_000, backoff: { baseMs: 120_000, maxMs: 120_000, jitter: 0 } } });
    await expect(deliver(job(), { holder: 'w1' }, d)).rejects.toMatchObject({ code: 'EXPIRED' });
  });

  describe('when a previous send may or may not have happened (in doubt)', () => {
    async function leaveInDoubt(d: DeliverDeps<EmailJob>, ledger: MemoryLedger, j: EmailJob) {
      await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(RetryLaterError);
      expect(ledger.rows.get(j.deliveryId)?.state).toBe('claimed');
      ledger.expireLease(j.deliveryId);
    }

    it('asks the provider first and does not send again when it has the message', async () => {
      const provider = new ScriptedProvider([unknown(), { providerMessageId: 'second' }]);
      provider.lookup = async () => ({ providerMessageId: 'first' });
      const { d, ledger, reporter } = deps(provider);
      const j = job();
      await leaveInDoubt(d, ledger, j);
      await expect(deliver(j, { holder: 'w2' }, d)).resolves.toEqual({ kind: 'sent', attempt: 2, providerMessageId: 'first' });
      expect(provider.calls).toBe(1);
      expect(reporter.types().at(-1)).toBe('sent');
    });

    it('sends again when the provider certainly does not have it', async () => {
      const provider = new ScriptedProvider([unknown(), { providerMessageId: 'second' }]);
      provider.lookup = async () => null;
      const { d, ledger } = deps(provider);
      const j = job();
      await leaveInDoubt(d, ledger, j);
      await expect(deliver(j, { holder: 'w2' }, d)).resolves.toMatchObject({ kind: 'sent', providerMessageId: 'second' });
      expect(provider.calls).toBe(2);
    });

    it('resends to a provider that deduplicates by itself', async () => {
      const provider = new ScriptedProvider([unknown(), { providerMessageId: 'deduplicated' }], true);
      const { d, ledger } = deps(provider, { policy: { ...policy, inDoubt: 'fail' } });
      const j = job();
      await leaveInDoubt(d, ledger, j);
      await expect(deliver(j, { holder: 'w2' }, d)).resolves.toMatchObject({ kind: 'sent' });
    });

    it('fails instead of resending when the policy says at most once and the provider cannot tell', async () => {
      const provider = new ScriptedProvider([unknown(), { providerMessageId: 'x' }]);
      const { d, ledger, reporter } = deps(provider, { policy: { ...policy, inDoubt: 'fail' } });
      const j = job();
      await leaveInDoubt(d, ledger, j);
      await expect(deliver(j, { holder: 'w2' }, d)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
      expect(provider.calls).toBe(1);
      expect(reporter.types().at(-1)).toBe('failed');
    });
  });

  it('fails the attempt (to be retried) when the outcome cannot be reported, and the retry only reports', async () => {
    const provider = new ScriptedProvider([{ providerMessageId: 'x' }]);
    const { d, reporter } = deps(provider);
    const j = job();
    reporter.failNext = 1;
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toThrow('Kafka is down');
    await expect(deliver(j, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'already-sent' });
    expect(provider.calls).toBe(1);
    expect(reporter.types()).toEqual(['sent']);
  });

  it('re-reports a permanent failure whose report was lost', async () => {
    const provider = new ScriptedProvider([permanent()]);
    const { d, reporter } = deps(provider);
    const j = job();
    reporter.failNext = 1;
    await expect(deliver(j, { holder: 'w1' }, d)).rejects.toThrow('Kafka is down');
    await expect(deliver(j, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'skipped' });
    expect(reporter.events).toEqual([expect.objectContaining({ type: 'failed', error: { code: 'SMTP_550', message: 'the mail server refused the message (SMTP 550)', permanent: true } })]);
  });

  describe('with several providers (failover)', () => {
    it('prefers another provider after a transient failure, and never sends one delivery through two providers at once', async () => {
      const primary = new ScriptedProvider([transient()], false, 'primary');
      const secondary = new ScriptedProvider([{ providerMessageId: 'from-secondary' }], false, 'secondary');
      const { d, reporter } = deps([primary, secondary]);
      const j = job();
      const error = (await deliver(j, { holder: 'w1' }, d).catch((e: unknown) => e)) as RetryLaterError;
      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.provider).toBe('primary');
      await expect(deliver({ ...j, routing: { avoid: 'primary' } }, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'sent', providerMessageId: 'from-secondary' });
      expect([primary.calls, secondary.calls]).toEqual([1, 1]);
      expect(reporter.events.filter((e) => e.type === 'sent')).toEqual([expect.objectContaining({ provider: 'secondary' })]);
    });

    it('resolves a send in doubt only at the provider that held it, even when the next attempt would go elsewhere', async () => {
      const primary = new ScriptedProvider([unknown(), { providerMessageId: 'again-at-primary' }], true, 'primary');
      const secondary = new ScriptedProvider([{ providerMessageId: 'never' }], false, 'secondary');
      const { d, ledger } = deps([primary, secondary]);
      const j = job();
      await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(RetryLaterError);
      ledger.expireLease(j.deliveryId);
      await expect(deliver({ ...j, routing: { avoid: 'primary' } }, { holder: 'w2' }, d)).resolves.toMatchObject({ kind: 'sent', providerMessageId: 'again-at-primary' });
      expect(secondary.calls).toBe(0);
    });

    it('fails a send in doubt at a provider that is no longer configured rather than send it through another', async () => {
      const gone = new ScriptedProvider([unknown()], false, 'gone');
      const first = deps([gone]);
      const j = job();
      await expect(deliver(j, { holder: 'w1' }, first.d)).rejects.toBeInstanceOf(RetryLaterError);
      first.ledger.expireLease(j.deliveryId);
      const other = new ScriptedProvider([{ providerMessageId: 'x' }], false, 'other');
      const d = { ...first.d, router: routerOf([other]) };
      await expect(deliver(j, { holder: 'w2' }, d)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
      expect(other.calls).toBe(0);
    });

    it('moves traffic to the next provider once the breaker of the first opens, without calling it', async () => {
      const primary = new ScriptedProvider([transient()], false, 'primary');
      const secondary = new ScriptedProvider([{ providerMessageId: 'ok' }], false, 'secondary');
      const { d } = deps([primary, secondary]);
      for (let i = 0; i < DEFAULT_BREAKER_POLICY.consecutiveFailures; i += 1) await deliver(job(), { holder: 'w1' }, d).catch(() => undefined);
      const callsWhenOpen = primary.calls;
      for (let i = 0; i < 5; i += 1) await expect(deliver(job(), { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'sent' });
      expect(primary.calls).toBe(callsWhenOpen);
    });

    it('waits without calling anyone when every breaker is open', async () => {
      const only = new ScriptedProvider([{ providerMessageId: 'x' }], false, 'only');
      const { d, state, ledger } = deps([only]);
      await state.open('only', Date.now() + 60_000);
      const j = job();
      await expect(deliver(j, { holder: 'w1' }, d)).rejects.toBeInstanceOf(ProvidersUnavailableError);
      expect(only.calls).toBe(0);
      expect(ledger.rows.get(j.deliveryId)).toBeUndefined();
    });
  });

  describe('when a provider asks to slow down (429)', () => {
    it('pauses the provider for the time it asked and spends none of the delivery\'s attempts', async () => {
      const throttled = () => new ProviderError('429 too many requests', { code: 'HTTP_429', permanent: false, retryAfterMs: 2_000 });
      const provider = new ScriptedProvider([throttled(), throttled(), throttled(), throttled(), { providerMessageId: 'finally' }]);
      const { d, state, ledger } = deps(provider, { policy: { ...policy, maxAttempts: 2 } });
      const j = job();
      for (let i = 0; i < 4; i += 1) {
        const error = await deliver(j, { holder: 'w1' }, d).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProvidersUnavailableError);
        expect((await state.read('scripted')).pausedUntil).toBeGreaterThan(Date.now());
        await state.pause('scripted', 0); // the pause runs out
      }
      await expect(deliver(j, { holder: 'w1' }, d)).resolves.toMatchObject({ kind: 'sent', attempt: 5 });
      expect(ledger.rows.get(j.deliveryId)).toMatchObject({ state: 'sent', throttled: 4 });
    });

    it('makes other deliveries wait for the pause without calling the provider', async () => {
      const provider = new ScriptedProvider([{ providerMessageId: 'x' }]);
      const { d, state } = deps(provider);
      await state.pause('scripted', Date.now() + 5_000);
      await expect(deliver(job(), { holder: 'w1' }, d)).rejects.toBeInstanceOf(ProvidersUnavailableError);
      expect(provider.calls).toBe(0);
    });
  });
});
