import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { Supervisor, type ClusterLike, type WorkerLike } from './supervisor';

class FakeWorker extends EventEmitter implements WorkerLike {
  static next = 1;
  readonly id = FakeWorker.next++;
  readonly signals: string[] = [];
  readonly process = {
    pid: 1000 + this.id,
    kill: (signal?: NodeJS.Signals) => {
      this.signals.push(signal ?? 'SIGTERM');
      return true;
    },
  };

  die(code: number | null = 1, signal: string | null = null): void {
    this.emit('exit', code, signal);
  }
}

class FakeCluster implements ClusterLike {
  readonly forked: FakeWorker[] = [];
  fork(): FakeWorker {
    const worker = new FakeWorker();
    this.forked.push(worker);
    return worker;
  }
}

const logger = pino({ level: 'silent' });

function setup(overrides: Partial<ConstructorParameters<typeof Supervisor>[0]> = {}) {
  const cluster = new FakeCluster();
  let now = 0;
  const supervisor = new Supervisor({
    cluster,
    size: 2,
    logger,
    initialBackoffMs: 100,
    maxRestarts: 3,
    windowMs: 10_000,
    graceMs: 1_000,
    now: () => now,
    ...overrides,
  });
  return { cluster, supervisor, advance: (ms: number) => ((now += ms), jest.advanceTimersByTime(ms)) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('cluster Supervisor', () => {
  it('forks one worker per slot', () => {
    const { cluster, supervisor } = setup();
    supervisor.start();
    expect(cluster.forked).toHaveLength(2);
    expect(supervisor.pids).toEqual(cluster.forked.map((w) => w.process.pid));
  });

  it('restarts a worker that dies, after a backoff that doubles with each recent crash', () => {
    const { cluster, supervisor, advance } = setup();
    supervisor.start();
    cluster.forked[0]?.die(1);
    advance(99);
    expect(cluster.forked).toHaveLength(2);
    advance(1);
    expect(cluster.forked).toHaveLength(3);
    cluster.forked[2]?.die(null, 'SIGKILL');
    advance(199);
    expect(cluster.forked).toHaveLength(3);
    advance(1);
    expect(cluster.forked).toHaveLength(4);
  });

  it('stops restarting a slot that crash-loops, and tells when every slot has given up', () => {
    const { cluster, supervisor, advance } = setup({ size: 1 });
    const gaveUp = jest.fn();
    const allGaveUp = jest.fn();
    supervisor.on('gave-up', gaveUp);
    supervisor.on('all-gave-up', allGaveUp);
    supervisor.start();
    // Three quick crashes are restarted after 100, 200 and 400 ms...
    for (const backoff of [100, 200, 400]) {
      cluster.forked.at(-1)?.die(1);
      advance(backoff);
    }
    expect(cluster.forked).toHaveLength(4);
    // ...the fourth within the window is a crash loop.
    cluster.forked.at(-1)?.die(1);
    advance(60_000);
    expect(cluster.forked).toHaveLength(4);
    expect(gaveUp).toHaveBeenCalledWith(0);
    expect(allGaveUp).toHaveBeenCalledTimes(1);
  });

  it('forgets crashes older than the window', () => {
    const { cluster, supervisor, advance } = setup({ size: 1, maxRestarts: 1 });
    supervisor.start();
    cluster.forked.at(-1)?.die(1);
    advance(20_000);
    cluster.forked.at(-1)?.die(1);
    advance(20_000);
    expect(cluster.forked).toHaveLength(3);
  });

  it('on stop, sends SIGTERM to every worker and resolves once they have all exited', async () => {
    const { cluster, supervisor } = setup();
    supervisor.start();
    const stopped = supervisor.stop();
    expect(cluster.forked.map((w) => w.signals)).toEqual([['SIGTERM'], ['SIGTERM']]);
    for (const worker of cluster.forked) worker.die(0);
    await expect(stopped).resolves.toBeUndefined();
    expect(cluster.forked).toHaveLength(2);
  });

  it('SIGKILLs a worker that outlasts the grace period', async () => {
    const { cluster, supervisor, advance } = setup();
    supervisor.start();
    const stopped = supervisor.stop();
    cluster.forked[0]?.die(0);
    advance(1_000);
    expect(cluster.forked[1]?.signals).toEqual(['SIGTERM', 'SIGKILL']);
    cluster.forked[1]?.die(null, 'SIGKILL');
    await stopped;
  });

  it('does not restart workers while stopping, and stop() is safe to call twice', async () => {
    const { cluster, supervisor, advance } = setup();
    supervisor.start();
    const first = supervisor.stop();
    expect(supervisor.stop()).toBe(first);
    for (const worker of cluster.forked) worker.die(1);
    advance(10_000);
    await first;
    expect(cluster.forked).toHaveLength(2);
  });
});
