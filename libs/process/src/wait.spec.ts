import { DeadlineExceededError, WaitAbortedError, waitFor } from './wait';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    await expect(waitFor('the third call', () => ((calls += 1) >= 3 ? calls : false), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('fails at the deadline with what it waited for and the last error of the probe', async () => {
    const error = await waitFor('a broker', () => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 50, intervalMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('a broker did not happen within 50 ms: ECONNREFUSED');
  });

  it('stops early when abortIf gives a reason, and says progress while it waits', async () => {
    const lines: string[] = [];
    let polls = 0;
    const error = await waitFor('Kafka', () => false, { timeoutMs: 10_000, intervalMs: 5, progressEveryMs: 10, log: (l) => lines.push(l), abortIf: () => ((polls += 1) > 10 ? 'java exited' : undefined) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitAbortedError);
    expect((error as Error).message).toBe('stopped waiting for Kafka: java exited');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^waiting for Kafka \(\d+s\)$/);
  });
});
