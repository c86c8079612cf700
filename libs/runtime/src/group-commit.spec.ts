import { GroupCommit } from './group-commit';

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('GroupCommit', () => {
  it('runs a lone item at once and the items that arrive meanwhile together in the next batch', async () => {
    const batches: number[][] = [];
    const gate = deferred<void>();
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate.promise;
      return items.map((i) => i * 10);
    }, { maxBatch: 100, maxInFlight: 1 });
    const first = group.submit(1);
    const rest = [group.submit(2), group.submit(3), group.submit(4)];
    expect(batches).toEqual([[1]]);
    expect(group.waiting).toBe(3);
    gate.resolve();
    await expect(Promise.all([first, ...rest])).resolves.toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('bounds a batch and keeps at most maxInFlight batches running', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      running += 1;
      most = Math.max(most, running);
      sizes.push(items.length);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return items;
    }, { maxBatch: 3, maxInFlight: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => group.submit(i)));
    expect(most).toBe(2);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('fails every item of a batch whose run fails, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
      return items;
    }, { maxBatch: 10, maxInFlight: 1 });
    await expect(group.submit(1)).rejects.toThrow('database away');
    await expect(group.submit(2)).resolves.toBe(2);
  });
});
