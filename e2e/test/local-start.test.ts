/**
 * `npm start` as a newcomer runs it (tools/platform/src/start.mjs, on the machine's ports 9000...):
 * the whole of Herald comes up and sends a message; a service that crashes is restarted, says so,
 * and serves again; SIGTERM (what Ctrl-C and npm's stop send) drains and stops everything it
 * started, with "Stopped." as its last line and none of its processes left. Stopped while it is
 * still starting, it ends the same way and never says "Herald is running" after "Stopped.".
 */
import { join } from 'node:path';
import { Child, isAlive, processCommandLine, readAllStats } from '@herald/process';
import { repoRoot, testConfig, uniqueName, waitFor } from '@herald/testing';

const lines: string[] = [];
function npmStart(name: string): Child {
  lines.length = 0;
  return new Child({
    name,
    args: [join(repoRoot, 'tools', 'platform', 'src', 'start.mjs')],
    cwd: repoRoot,
    env: { ...process.env, API_KEYS: '', WEBHOOK_SECRETS_KEY: '' },
    logFile: join(repoRoot, testConfig().HERALD_TEST_LOG_DIR, 'npm-start', `${name}.log`),
    onLine: (line) => lines.push(line),
    graceMs: 60_000,
  }).start();
}

/** Every process below `root` now: pid and command line. */
function descendants(root: number): Array<{ pid: number; command: string }> {
  const all = [...readAllStats().values()];
  const found: Array<{ pid: number; command: string }> = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push({ pid: p.pid, command: processCommandLine(p.pid) ?? p.comm });
        grew = true;
      }
    }
  }
  return found;
}

const said = (pattern: RegExp) => lines.some((l) => pattern.test(l));

test('npm start runs Herald, restarts a crashed service, and stops everything on SIGTERM', async () => {
  const start = npmStart(uniqueName('npm-start'));
  try {
    await waitFor('Herald is running', () => said(/^Herald is running\./) || !start.running, { timeoutMs: 240_000, intervalMs: 250 });
    expect(start.running).toBe(true);
    const running = descendants(start.pid ?? 0);
    for (const app of ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'receipts-api', 'webhook-worker']) {
      expect(running.some((p) => p.command.includes(join('apps', app, 'dist', 'main.js')))).toBe(true);
    }

    const accepted = await fetch('http://127.0.0.1:9000/v1/North', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: { phone: '+447700900123' }, channels: ['sms'], sms: { text: 'npm start test' } }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await waitFor('the message sent', async () => {
      const status = (await (await fetch(`http://127.0.0.1:9000/v1/messages/${id}`)).json()) as { deliveries: Array<{ status: string }> };
      return status.deliveries[0]?.status === 'sent';
    }, { timeoutMs: 30_000, intervalMs: 250 });

    // A crash (SIGKILL): restarted after a backoff, ready again, and the rest kept running.
    const worker = running.find((p) => p.command.includes(join('apps', 'sms-worker', 'dist', 'main.js')));
    process.kill(worker?.pid ?? 0, 'SIGKILL');
    await waitFor('the sms-worker ready again', () => said(/sms-worker is ready again after its restart/), { timeoutMs: 60_000, intervalMs: 250 });
    expect(said(/^npm start: sms-worker was killed \(SIGKILL\); restarting it in 1 s/)).toBe(true);
    expect((await fetch('http://127.0.0.1:9103/readyz')).status).toBe(200);
    expect(isAlive(worker?.pid ?? 0)).toBe(false);

    const all = descendants(start.pid ?? 0);
    expect(await start.stop(60_000)).toBe(0);
    expect(lines.at(-1)).toBe('Stopped.');
    await waitFor('every process of npm start gone', () => all.every((p) => !isAlive(p.pid)), { timeoutMs: 10_000, intervalMs: 200 });
  } finally {
    await start.stop(60_000);
  }
}, 420_000);

test('npm start stopped while it starts ends with "Stopped." and never says Herald is running', async () => {
  const start = npmStart(uniqueName('npm-start-early'));
  try {
    await waitFor('the platform coming up', () => said(/^Bringing up the platform/) || !start.running, { timeoutMs: 240_000, intervalMs: 50 });
    const all = descendants(start.pid ?? 0);
    expect(await start.stop(60_000)).toBe(0);
    expect(lines.at(-1)).toBe('Stopped.');
    expect(said(/^Herald is running/)).toBe(false);
    await waitFor('every process of npm start gone', () => all.every((p) => !isAlive(p.pid)), { timeoutMs: 10_000, intervalMs: 200 });
  } finally {
    await start.stop(60_000);
  }
}, 300_000);
