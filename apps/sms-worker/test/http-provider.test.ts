/**
 * The HTTP SMS provider against the real local SMS sink (as a process): a send, the gateway's
 * deduplication of a repeated delivery, and how each gateway answer is classified.
 */
import { deliveryIdFor, newMessageId, type SmsJob } from '@herald/contracts';
import { ProviderError } from '@herald/delivery';
import { freePort, startSmsSink, type SmsSink } from '@herald/testing';
import { HttpSmsProvider } from '../src/providers/http-provider';

let sink: SmsSink;
let provider: HttpSmsProvider;

beforeAll(async () => {
  sink = await startSmsSink('sms-provider');
  provider = new HttpSmsProvider({ url: sink.url, from: 'Herald' });
}, 30_000);

afterAll(async () => {
  await sink?.process.stop();
});

function job(): SmsJob {
  const messageId = newMessageId();
  return { v: 1, messageId, deliveryId: deliveryIdFor(messageId, 'sms'), generation: 0, acceptedAt: new Date().toISOString(), to: '+447700900123', content: { text: 'Your code is 123456' } };
}

const signal = () => AbortSignal.timeout(5_000);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('HttpSmsProvider', () => {
  it('sends to the gateway with the delivery as reference and returns its message id', async () => {
    const j = job();
    const receipt = await provider.send(j, signal());
    const [received] = await sink.client.messages({ reference: j.deliveryId });
    expect(received).toMatchObject({ id: receipt.providerMessageId, to: '+447700900123', text: 'Your code is 123456', from: 'Herald', idempotencyKey: `${j.deliveryId}.0` });
  });

  it('sends a repeated delivery only once: the gateway deduplicates by idempotency key', async () => {
    const j = job();
    const first = await provider.send(j, signal());
    const second = await provider.send(j, signal());
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(await sink.client.messages({ reference: j.deliveryId })).toHaveLength(1);
  });

  it('classifies 429 as transient, with the Retry-After delay', async () => {
    await sink.client.control({ mode: 'fail', status: 429, count: 1, retryAfter: 7 });
    const error = await failure(provider.send(job(), signal()));
    expect(error).toMatchObject({ code: 'HTTP_429', permanent: false, outcomeUnknown: false, retryAfterMs: 7_000 });
  });

  it('classifies 503 as transient and 400 as permanent', async () => {
    await sink.client.control({ mode: 'fail', status: 503, count: 1 });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'HTTP_503', permanent: false });
    await sink.client.control({ mode: 'fail', status: 400, count: 1 });
    expect(await failure(provider.send(job(), signal()))).toMatchObject({ code: 'HTTP_400', permanent: true });
    await sink.client.control({ mode: 'ok' });
  });

  it('classifies an unreachable gateway as transient and certainly not sent', async () => {
    const nobody = new HttpSmsProvider({ url: `http://127.0.0.1:${await freePort()}` });
    expect(await failure(nobody.send(job(), signal()))).toMatchObject({ code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false });
  });

  it('classifies a send cut off by its deadline as an unknown outcome', async () => {
    await sink.client.control({ mode: 'ok', latencyMs: 2_000 });
    try {
      const error = await failure(provider.send(job(), AbortSignal.timeout(200)));
      expect(error).toMatchObject({ permanent: false, outcomeUnknown: true });
    } finally {
      await sink.client.control({ mode: 'ok' });
    }
  });
});
