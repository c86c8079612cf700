// @ts-check
/**
 * PostgreSQL for the tracking store: reuse the server accepting connections on 127.0.0.1:port,
 * or start the Debian cluster (installing postgresql when absent), then create the databases.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import pg from 'pg';
import { isPortOpen, waitFor } from '@herald/process';
import { aptInstall, commandExists, run } from './system.mjs';

/** @typedef {(line: string) => void} LogFn */

/**
 * @typedef {object} PostgresHandle
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {boolean} startedByUs true when this call started the cluster
 * @property {string | null} cluster e.g. '15/main' when we know which Debian cluster serves it
 * @property {string | null} version server_version
 * @property {{ name: string, created: boolean }[]} databases
 * @property {(database?: string) => string} url connection URL, e.g.
 *   postgresql://postgres@127.0.0.1:5432/herald (password included when one was given)
 * @property {() => Promise<void>} stop stops the cluster when startedByUs, else does nothing
 */

/**
 * @param {object} options
 * @param {string} options.host
 * @param {number} options.port
 * @param {string} options.user
 * @param {string} [options.password]
 * @param {string} options.database
 * @returns {string}
 */
export function postgresUrl({ host, port, user, password, database }) {
  const auth = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
  return `postgresql://${auth}@${host}:${port}/${encodeURIComponent(database)}`;
}

/**
 * Whether PostgreSQL accepts a connection (and a query) as `user`.
 * @param {object} options
 * @param {string} [options.host]
 * @param {number} [options.port]
 * @param {string} [options.user]
 * @param {string} [options.password]
 * @returns {Promise<{ ok: true, version: string } | { ok: false, error: string }>}
 */
export async function postgresAnswers({ host = '127.0.0.1', port = 5432, user = 'postgres', password } = {}) {
  const client = new pg.Client({ host, port, user, password, database: 'postgres', connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const res = await client.query('SHOW server_version');
    return { ok: true, version: String(res.rows[0].server_version) };
  } catch (err) {
    return { ok: false, error: /** @type {Error} */ (err).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The Debian cluster version(s) present (`ls /etc/postgresql`).
 * @returns {string[]}
 */
function debianClusterVersions() {
  try {
    return readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

/**
 * Make sure PostgreSQL accepts connections on host:port and that `databases` exist.
 *
 * When nothing accepts connections: installs postgresql with apt-get when pg_ctlcluster is absent
 * (and then lets 127.0.0.1 connect with trust auth, as on the project's machines), and runs
 * `pg_ctlcluster --skip-systemctl-redirect <version> main start`.
 * @param {object} [options]
 * @param {number} [options.port] default PGPORT or 5432
 * @param {string} [options.host] default 127.0.0.1
 * @param {string} [options.user] default PGUSER or 'postgres'
 * @param {string} [options.password] default PGPASSWORD
 * @param {string[]} [options.databases] default ['herald', 'herald_test']
 * @param {LogFn} [options.log]
 * @returns {Promise<PostgresHandle>}
 */
export async function ensurePostgres({
  port = Number(process.env.PGPORT) || 5432,
  host = '127.0.0.1',
  user = process.env.PGUSER || 'postgres',
  password = process.env.PGPASSWORD || undefined,
  databases = ['herald', 'herald_test'],
  log = console.log,
} = {}) {
  let startedByUs = false;
  /** @type {string | null} */
  let cluster = null;
  let probe = await postgresAnswers({ host, port, user, password });

  if (!probe.ok) {
    if (await isPortOpen({ host, port })) {
      // Something listens but refuses us: starting another server would not help.
      throw new Error(`postgres: ${host}:${port} is listening but refuses the connection as ${user}: ${probe.error}`);
    }
    let installed = false;
    if (!commandExists('pg_ctlcluster')) {
      await aptInstall(['postgresql'], (l) => log(`postgres: ${l}`));
      installed = true;
    }
    const version = debianClusterVersions()[0];
    if (!version) throw new Error('postgres: no cluster under /etc/postgresql (expected e.g. /etc/postgresql/15/main)');
    cluster = `${version}/main`;
    if (installed && allowTrustOnLoopback(version, log)) {
      // The package may have started the cluster already: make it re-read pg_hba.conf.
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'reload']);
    }
    probe = await postgresAnswers({ host, port, user, password });
    if (!probe.ok) {
      log(`postgres: starting cluster ${cluster} (pg_ctlcluster --skip-systemctl-redirect ${version} main start)`);
      const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
      // exit 2 = already running
      if (result.code !== 0 && result.code !== 2) {
        throw new Error(`postgres: pg_ctlcluster ${version} main start failed (exit ${result.code}):\n${result.output}`);
      }
      startedByUs = result.code === 0;
      await waitFor(`PostgreSQL on ${host}:${port}`, async () => (await postgresAnswers({ host, port, user, password })).ok, {
        intervalMs: 250,
        timeoutMs: 30_000,
        log: (l) => log(`postgres: ${l}`),
      });
      probe = await postgresAnswers({ host, port, user, password });
    }
  }
  if (!probe.ok) throw new Error(`postgres: cannot connect to ${host}:${port} as ${user}: ${probe.error}`);

  const created = await createDatabases({ host, port, user, password, databases, log });
  const stopCluster = cluster;
  return {
    host,
    port,
    user,
    startedByUs,
    cluster,
    version: probe.version,
    databases: created,
    url: (database = databases[0] ?? 'postgres') => postgresUrl({ host, port, user, password, database }),
    stop: async () => {
      if (startedByUs && stopCluster) await stopPostgresCluster(stopCluster);
    },
  };
}

/**
 * Stop a Debian cluster ('15/main') with pg_ctlcluster. Only call it for a cluster this tooling
 * started.
 * @param {string} cluster
 * @returns {Promise<void>}
 */
export async function stopPostgresCluster(cluster) {
  const [version = '', name = 'main'] = cluster.split('/');
  const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop', '-m', 'fast']);
  if (result.code !== 0 && result.code !== 2) {
    throw new Error(`postgres: pg_ctlcluster ${version} ${name} stop failed (exit ${result.code}):\n${result.output}`);
  }
}

/**
 * Create the databases that do not exist (names: letters, digits, underscores).
 * @param {object} options
 * @param {string} options.host
 * @param {number} options.port
 * @param {string} options.user
 * @param {string} [options.password]
 * @param {string[]} options.databases
 * @param {LogFn} [options.log]
 * @returns {Promise<{ name: string, created: boolean }[]>}
 */
export async function createDatabases({ host, port, user, password, databases, log = console.log }) {
  const client = new pg.Client({ host, port, user, password, database: 'postgres', connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    /** @type {{ name: string, created: boolean }[]} */
    const out = [];
    for (const name of databases) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`postgres: refusing odd database name ${JSON.stringify(name)}`);
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount) {
        out.push({ name, created: false });
        continue;
      }
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        log(`postgres: created database ${name}`);
        out.push({ name, created: true });
      } catch (err) {
        // 42P04 duplicate_database / 23505 unique_violation: created concurrently by someone else
        const code = /** @type {{ code?: string }} */ (err).code;
        if (code !== '42P04' && code !== '23505') throw err;
        out.push({ name, created: false });
      }
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * After a fresh `apt-get install postgresql`, let local TCP connections in without a password
 * (trust on 127.0.0.1/32 and ::1/128), as on the project's machines. Only for a cluster we just
 * installed; never touches an existing installation.
 * @param {string} version
 * @param {LogFn} log
 * @returns {boolean} whether pg_hba.conf was changed
 */
function allowTrustOnLoopback(version, log) {
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  if (!existsSync(hba)) return false;
  const text = readFileSync(hba, 'utf8');
  const updated = text.replace(/^(host\s+all\s+all\s+(?:127\.0\.0\.1\/32|::1\/128)\s+)\S+\s*$/gm, '$1trust');
  if (updated !== text) {
    writeFileSync(hba, updated);
    log(`postgres: set trust auth for 127.0.0.1 and ::1 in ${hba} (fresh install for local development)`);
    return true;
  }
  return false;
}
