import { ContractViolationError, deliveryIdFor, emailJobValidator, newMessageId, type DeliveryEvent, type EmailJob } from '@herald/contracts';
import { DEFAULT_BREAKER_POLICY, ProviderError, ProviderRouter, type DeliveryPolicy } from '@herald/delivery';
import { MemoryProviderState } from '@herald/delivery/testing';
import { createLogger } from '@herald/runtime';
import { channelProcessor } from './processor';

const policy: DeliveryPolicy = { maxAttempts: 3, maxAgeMs: 60_000, sendTimeoutMs: 1_000, leaseMs: 5_000, backoff: { baseMs: 100, maxMs: 1_000, jitter: 0 }, inDoubt: 'resend' };

function setup(send: () => Promise<{ providerMessageId: string | null }>) {
  const events: DeliveryEvent[] = [];
  const claims: string[] = [];
  const processor = channelProcessor<EmailJob>('email', emailJobValidator)({
    router: new ProviderRouter<EmailJob>({
      providers: [{ provider: { name: 'fake', idempotent: false, send, close: async () => undefined }, weight: 0 }],
      state: new MemoryProviderState(),
      breaker: DEFAULT_BREAKER_POLICY,
      log: { info: () => undefined, warn: () => undefined },
    }),
    ledger: {
      claim: async (request) => (claims.push(request.holder), { kind: 'claimed', attempt: 1, charged: 1, provider: 'fake' }),
      markSent: async () => undefined,
      release: async () => undefined,
      markFailed: async () => 1,
    },
    reporter: { report: async (e) => void events.push(...e) },
    logger: createLogger({ service: 'test', level: 'silent' }),
    policy,
  });
  return { processor, events, claims };
}

function job(): EmailJob {
  const messageId = newMessageId();
  return { v: 1, messageId, deliveryId: deliveryIdFor(messageId, 'email'), generation: 0, acceptedAt: new Date().toISOString(), to: 'ada@example.com', content: { subject: 'Hi', text: 'x' } };
}

describe('channelProcessor (EmailProcessor, SmsProcessor)', () => {
  it('sends a valid job through the ledger-guarded flow, naming the claim after the job and its lock token', async () => {
    const { processor, events, claims } = setup(async () => ({ providerMessageId: '<id@x>' }));
    await expect(processor({ id: 'job-1', data: job() }, 'token-9')).resolves.toMatchObject({ kind: 'sent', providerMessageId: '<id@x>' });
    expect(claims).toEqual([expect.stringMatching(/\/job-1\/token-9$/)]);
    expect(events.map((e) => [e.channel, e.type])).toEqual([['email', 'sent']]);
  });

  it('refuses a job that breaks its contract before touching anything', async () => {
    const { processor, claims } = setup(async () => ({ providerMessageId: null }));
    await expect(processor({ id: 'x', data: { ...job(), to: 'not an address' } })).rejects.toBeInstanceOf(ContractViolationError);
    expect(claims).toEqual([]);
  });

  it('passes provider errors through deliver()', async () => {
    const { processor } = setup(async () => {
      throw new ProviderError('refused', { code: 'ECONNREFUSED', permanent: false });
    });
    await expect(processor({ id: 'x', data: job() })).rejects.toMatchObject({ name: 'RetryLaterError', code: 'ECONNREFUSED' });
  });
});
