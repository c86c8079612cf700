// @ts-check
/**
 * PostgreSQL for the tracking store: the server accepting connections on 127.0.0.1:5432 (PGPORT,
 * PGUSER, PGPASSWORD as libpq reads them), or the Debian cluster started by the platform (the
 * postgresql package installed first when absent); then the databases herald and herald_test.
 * The cluster the platform started is named in .local/postgres/started-cluster, which down reads:
 * a server that was running before is left alone.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { isPortOpen, waitFor } from '@herald/process';
import { localPath } from './paths.mjs';
import { aptInstall, commandExists, run } from './system.mjs';

const port = Number(process.env.PGPORT) || 5432;
const connection = { host: '127.0.0.1', port, user: process.env.PGUSER || 'postgres', password: process.env.PGPASSWORD || undefined, database: 'postgres', connectionTimeoutMillis: 5000 };
const DATABASES = ['herald', 'herald_test'];
const address = `postgresql://${encodeURIComponent(connection.user)}@127.0.0.1:${port}`;
const startedFile = path.join(localPath('postgres'), 'started-cluster');

/** @returns {Promise<{ ok: true, version: string } | { ok: false, error: string }>} */
async function answers() {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return { ok: true, version: String((await client.query('SHOW server_version')).rows[0].server_version).split(' ')[0] ?? '?' };
  } catch (err) {
    return { ok: false, error: /** @type {Error} */ (err).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** @param {string[]} args */
async function pgCtlCluster(...args) {
  const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', ...args]);
  // exit 2: already in that state
  if (result.code !== 0 && result.code !== 2) throw new Error(`postgres: pg_ctlcluster ${args.join(' ')} failed (exit ${result.code}):\n${result.output}`);
  return result.code === 0;
}

/**
 * Starts the newest Debian cluster; installs postgresql first when pg_ctlcluster is absent (and then
 * lets 127.0.0.1 and ::1 in with trust auth, as on the project's machines: never on an existing install).
 * @param {(line: string) => void} log
 * @returns {Promise<string | null>} the cluster, when this call started it
 */
async function startCluster(log) {
  const installed = !commandExists('pg_ctlcluster');
  if (installed) await aptInstall(['postgresql'], (l) => log(`postgres: ${l}`));
  const version = (existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('postgres: no cluster under /etc/postgresql (expected e.g. /etc/postgresql/15/main)');
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  if (installed && existsSync(hba)) {
    const text = readFileSync(hba, 'utf8');
    const trusted = text.replace(/^(host\s+all\s+all\s+(?:127\.0\.0\.1\/32|::1\/128)\s+)\S+\s*$/gm, '$1trust');
    if (trusted !== text) {
      writeFileSync(hba, trusted);
      log(`postgres: set trust auth for 127.0.0.1 and ::1 in ${hba} (fresh install for local development)`);
      // The package may have started the cluster already: make it read pg_hba.conf again.
      await pgCtlCluster(version, 'main', 'reload');
    }
  }
  if ((await answers()).ok) return null;
  log(`postgres: starting cluster ${version}/main (pg_ctlcluster --skip-systemctl-redirect ${version} main start)`);
  const started = await pgCtlCluster(version, 'main', 'start');
  await waitFor(`PostgreSQL on 127.0.0.1:${port}`, async () => (await answers()).ok, { intervalMs: 250, timeoutMs: 30_000, log: (l) => log(`postgres: ${l}`) });
  return started ? `${version}/main` : null;
}

/** Creates the databases that are missing; returns the ones it created. */
async function createDatabases() {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const created = [];
    for (const name of DATABASES) {
      if ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) continue;
      // 42P04 duplicate_database, 23505 unique_violation: created meanwhile by someone else
      const made = await client.query(`CREATE DATABASE "${name}"`).then(
        () => true,
        (/** @type {{ code?: string }} */ err) => (err.code === '42P04' || err.code === '23505' ? false : Promise.reject(err)),
      );
      if (made) created.push(name);
    }
    return created;
  } finally {
    await client.end();
  }
}

/** @type {import('./daemon.mjs').PlatformService} */
export const postgres = {
  async up({ log }) {
    let probe = await answers();
    let startedNow = false;
    if (!probe.ok) {
      // Something listens but refuses us: starting another server would not help.
      if (await isPortOpen({ port })) throw new Error(`postgres: 127.0.0.1:${port} is listening but refuses the connection as ${connection.user}: ${probe.error}`);
      const cluster = await startCluster(log);
      if (cluster) writeFileSync(startedFile, `${cluster}\n`);
      startedNow = cluster !== null;
      probe = await answers();
      if (!probe.ok) throw new Error(`postgres: cannot connect to 127.0.0.1:${port} as ${connection.user}: ${probe.error}`);
    }
    const created = await createDatabases();
    const how = startedNow ? 'started' : existsSync(startedFile) ? 'reused (started earlier by the platform)' : 'reused (already running)';
    return { startedNow, line: `${address} (${DATABASES.join(', ')})  ${how}; PostgreSQL ${probe.version}${created.length ? `; created ${created.join(', ')}` : ''}` };
  },
  async down() {
    const cluster = existsSync(startedFile) ? readFileSync(startedFile, 'utf8').trim() : '';
    if (cluster) {
      const [version = '', name = 'main'] = cluster.split('/');
      await pgCtlCluster(version, name, 'stop', '-m', 'fast');
      rmSync(startedFile);
      return `stopped (cluster ${cluster})`;
    }
    return (await isPortOpen({ port })) ? 'left running (was running before up)' : 'not running';
  },
  async status() {
    const probe = await answers();
    const who = existsSync(startedFile) ? 'started by the platform' : 'external';
    return { up: probe.ok, line: `${address}  ${probe.ok ? `up, ${who}; PostgreSQL ${probe.version}` : `DOWN; ${probe.error}`}` };
  },
};
