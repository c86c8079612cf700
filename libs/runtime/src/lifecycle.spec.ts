import { pino } from 'pino';
import { Lifecycle } from './lifecycle';
import { waitFor } from '@herald/process';

const silent = pino({ level: 'silent' });

describe('Lifecycle', () => {
  it('closes in reverse order, once, and exits 0', async () => {
    const order: string[] = [];
    const exit = jest.fn();
    const lifecycle = new Lifecycle({ logger: silent, graceMs: 1_000, exit });
    lifecycle.onShutdown('database', () => void order.push('database'));
    lifecycle.onShutdown('consumer', async () => {
      await new Promise((r) => setImmediate(r));
      order.push('consumer');
    });
    const first = lifecycle.shutdown();
    const second = lifecycle.shutdown();
    expect(second).toBe(first);
    await first;
    expect(order).toEqual(['consumer', 'database']);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('runs every step even when one fails, then exits 1', async () => {
    const exit = jest.fn();
    const closed: string[] = [];
    const lifecycle = new Lifecycle({ logger: silent, graceMs: 1_000, exit });
    lifecycle.onShutdown('a', () => void closed.push('a'));
    lifecycle.onShutdown('b', () => {
      throw new Error('boom');
    });
    await lifecycle.shutdown();
    expect(closed).toEqual(['a']);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 when the drain outlasts the grace period', async () => {
    const exit = jest.fn();
    const lifecycle = new Lifecycle({ logger: silent, graceMs: 20, exit });
    let release: () => void = () => undefined;
    lifecycle.onShutdown('stuck', () => new Promise<void>((r) => (release = r)));
    const done = lifecycle.shutdown();
    await waitFor('exit after the grace period', () => exit.mock.calls.length > 0, { timeoutMs: 2_000, intervalMs: 5 });
    expect(exit).toHaveBeenCalledWith(1);
    release();
    await done;
  });

  it('tells listeners that a drain started', async () => {
    const lifecycle = new Lifecycle({ logger: silent, graceMs: 1_000, exit: () => undefined });
    const listener = jest.fn();
    lifecycle.onDraining(listener);
    expect(lifecycle.draining).toBe(false);
    await lifecycle.shutdown();
    expect(listener).toHaveBeenCalled();
    expect(lifecycle.draining).toBe(true);
  });
});
