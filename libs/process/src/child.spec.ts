/** Real child processes (this Node.js running small scripts): what npm start and the test harness rely on. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, ChildNotReadyError, type ChildSpec, type RestartPolicy } from './child';
import { isAlive } from './proc';
import { waitFor } from './wait';

const dir = mkdtempSync(join(tmpdir(), 'herald-child-'));
const FAST: RestartPolicy = { firstBackoffMs: 50, maxBackoffMs: 200, maxCrashes: 3, windowMs: 10_000 };
let n = 0;

function child(script: string, extra: Partial<ChildSpec> = {}): Child {
  n += 1;
  return new Child({ name: `child-${n}`, args: ['-e', script], cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, logFile: join(dir, `child-${n}.log`), ...extra });
}

const running: Child[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop(1_000)));
});

describe('Child', () => {
  it('restarts a child that exits on its own, with a doubling backoff, and gives up after maxCrashes, with the tail of its log', async () => {
    const said: string[] = [];
    let gaveUp: { crashes: number; tail: string } | undefined;
    const c = child("console.log('run at', Date.now()); process.exit(3)", {
      restart: { policy: FAST, say: (line) => said.push(line), onGiveUp: (_, crashes, tail) => (gaveUp = { crashes, tail }) },
    });
    running.push(c.start());
    await waitFor('the give-up', () => gaveUp, { timeoutMs: 5_000 });
    expect(c.starts).toBe(3);
    expect(c.gaveUp).toBe(true);
    expect(gaveUp?.crashes).toBe(3);
    expect(gaveUp?.tail).toContain('run at');
    // 50 ms, then 100 ms (said to the tenth of a second); no ready condition: ready as soon as it runs.
    expect(said.filter((l) => l.includes('restarting'))).toEqual([expect.stringContaining('exited (code 3); restarting it in 0.1 s (crash 1 within 10 s; it is given up at 3)'), expect.stringContaining('restarting it in 0.1 s (crash 2')]);
    // A JSON line where each run began and how it ended.
    const marks = readFileSync(c.logFile, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; code?: number });
    expect(marks.filter((m) => m.msg.startsWith('starting'))).toHaveLength(3);
    expect(marks.filter((m) => m.msg.endsWith('exited on its own')).map((m) => m.code)).toEqual([3, 3, 3]);
  });

  it('says when a restarted child is ready again, and starts it with the environment of that moment', async () => {
    const said: string[] = [];
    let generation = 0;
    const c = child("console.log('gen', process.env.GEN); if (process.env.GEN === '1') process.exit(1); setInterval(() => {}, 1000)", {
      env: () => ({ GEN: String((generation += 1)) }),
      readyLine: /^gen 2$/,
      restart: { policy: FAST, say: (line) => said.push(line), onGiveUp: () => undefined, onRestarted: () => void said.push('onRestarted') },
    });
    running.push(c.start());
    await waitFor('the restart to be ready', () => said.includes('onRestarted'), { timeoutMs: 5_000 });
    expect(said).toEqual([expect.stringContaining('exited (code 1)'), `${c.name} is ready again after its restart`, 'onRestarted']);
    expect(await c.ready(1_000)).toBe(true);
  });

  it('drains on stop(): SIGTERM, its exit code, and no restart', async () => {
    const said: string[] = [];
    const c = child("process.on('SIGTERM', () => { console.log('draining'); setTimeout(() => process.exit(0), 100); }); console.log('up'); setInterval(() => {}, 1000)", {
      readyLine: /^up$/,
      restart: { policy: FAST, say: (line) => said.push(line), onGiveUp: () => undefined },
    });
    running.push(await c.started(5_000));
    expect(await c.stop(5_000)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.running).toBe(false);
    expect(c.starts).toBe(1);
    expect(said).toEqual([]);
    expect(c.tail()).toContain('draining');
  });

  it('kills what does not drain within the grace period, and with `group` whatever it started', async () => {
    let killed = false;
    const c = child(
      "const { spawn } = require('node:child_process'); const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('grandchild', g.pid); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)",
      { readyLine: /^grandchild \d+$/, group: true },
    );
    running.push(await c.started(5_000));
    const grandchild = Number(/grandchild (\d+)/.exec(c.tail())?.[1]);
    expect(isAlive(grandchild)).toBe(true);
    expect(await c.stop(300, () => (killed = true))).toBeNull();
    expect(killed).toBe(true);
    await waitFor('the grandchild to be gone', () => !isAlive(grandchild), { timeoutMs: 3_000 });
  });

  it('restart() stops and starts it again without counting a crash', async () => {
    const said: string[] = [];
    const c = child("console.log('up'); setInterval(() => {}, 1000)", { readyLine: /^up$/, restart: { policy: FAST, say: (line) => said.push(line), onGiveUp: () => undefined } });
    running.push(await c.started(5_000));
    const first = c.pid;
    c.restart();
    await waitFor('the second start', () => c.starts === 2 && c.running && c.pid !== first, { timeoutMs: 5_000 });
    expect(await c.ready(5_000)).toBe(true);
    expect(said).toEqual([]);
  });

  it('started() waits for the ready URL, and fails with the log when the child exits first', async () => {
    const c = child("const http = require('node:http'); const s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log('port', s.address().port))", {
      readyCheck: async () => /port \d+/.test(c.tail()),
    });
    running.push(await c.started(5_000));
    const port = Number(/port (\d+)/.exec(c.tail())?.[1]);
    const byUrl = child('setInterval(() => {}, 1000)', { readyUrl: `http://127.0.0.1:${port}/` });
    running.push(await byUrl.started(5_000));

    const failing = child("console.error('no config: API_KEYS is required'); process.exit(1)", { readyUrl: 'http://127.0.0.1:1/' });
    const error = await failing.started(5_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChildNotReadyError);
    expect((error as Error).message).toContain('exited during start');
    await waitFor('the log', () => failing.tail().includes('API_KEYS is required'), { timeoutMs: 2_000 });
    expect(await failing.waitForExit()).toBe(1);
    expect(failing.exitCode).toBe(1);
  });

  it('started() waits for the next run when the child is killed during its start and started again', async () => {
    const c = child("setTimeout(() => console.log('up'), 600); setInterval(() => {}, 1000)", { readyLine: /^up$/ });
    running.push(c);
    const first = c.started(5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await c.kill(); // a failure test's chaos: killed before it was ready...
    const second = c.started(5_000); // ...and started again
    await expect(first).resolves.toBe(c);
    await expect(second).resolves.toBe(c);
    expect(c.starts).toBe(2);
    expect(c.tail()).toContain('"signal":"SIGKILL"');
  });

  it('kill() is a crash: SIGKILL, nothing drained', async () => {
    const c = child("process.on('SIGTERM', () => console.log('drained')); console.log('up'); setInterval(() => {}, 1000)", { readyLine: /^up$/ });
    await c.started(5_000);
    await c.kill();
    expect(c.running).toBe(false);
    expect(c.tail()).not.toContain('drained');
    expect(c.tail()).toContain('"signal":"SIGKILL"');
  });
});
