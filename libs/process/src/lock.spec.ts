import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from './lock';

const dir = mkdtempSync(join(tmpdir(), 'herald-lock-'));

describe('withLock', () => {
  it('lets one holder in at a time, and says when it waits', async () => {
    const lock = join(dir, 'one.lock');
    const events: string[] = [];
    const lines: string[] = [];
    const holder = (name: string, ms: number) =>
      withLock(lock, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`${name} out`);
        return name;
      }, { log: (l) => lines.push(l) });
    await expect(Promise.all([holder('a', 200), holder('b', 10)])).resolves.toEqual(['a', 'b']);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(lines).toEqual(['waiting for another process, which holds one.lock']);
  });

  it('takes over a lock its holder stopped refreshing (killed), and releases it when the work throws', async () => {
    const lock = join(dir, 'stale.lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await expect(withLock(lock, async () => 'taken over', { staleMs: 5_000, timeoutMs: 2_000 })).resolves.toBe('taken over');
    await expect(withLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withLock(lock, async () => 'free again', { timeoutMs: 1_000 })).resolves.toBe('free again');
  });

  it('replaces a lock file of the earlier implementation (a plain file with a pid)', async () => {
    const lock = join(dir, 'legacy.lock');
    writeFileSync(lock, '12345\n');
    await expect(withLock(lock, async () => 'taken', { timeoutMs: 1_000 })).resolves.toBe('taken');
  });
});
