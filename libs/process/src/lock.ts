/**
 * One holder at a time across processes: two terminals running `npm start`, parallel test workers
 * bringing up the same daemon, start it once. On proper-lockfile (an atomic mkdir whose mtime the
 * holder refreshes; a lock not refreshed for `staleMs` is taken over), which also frees a lock
 * whose holder was killed, without our own pid-file bookkeeping.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import lockfile from 'proper-lockfile';

const RETRY_MS = 200;

/** Runs `fn` while holding the lock at `lockFile` (a directory proper-lockfile creates). */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, { timeoutMs = 300_000, staleMs = 10_000, log }: { timeoutMs?: number; staleMs?: number; log?: (line: string) => void } = {}): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  // A plain file there is a lock of the earlier O_EXCL implementation, left by a killed holder.
  if (statSync(lockFile, { throwIfNoEntry: false })?.isFile()) rmSync(lockFile, { force: true });
  const options = { realpath: false, lockfilePath: lockFile, stale: staleMs, onCompromised: (error: Error) => log?.(`lock ${basename(lockFile)} was lost: ${error.message}`) };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockFile, { ...options, retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    log?.(`waiting for another process, which holds ${basename(lockFile)}`);
    release = await lockfile.lock(lockFile, { ...options, retries: { retries: Math.ceil(timeoutMs / RETRY_MS), factor: 1, minTimeout: RETRY_MS, maxTimeout: RETRY_MS } });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
