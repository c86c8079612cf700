// @ts-check
/**
 * Migrations for developers. `deploy` is not here: production and development alike run the
 * runner that lives with the schema, libs/tracking/src/migrate.ts (built to
 * libs/tracking/dist/migrate-cli.js; `runnerEntry` compiles it first when the build is missing or
 * older than its sources, so `npm run migrate -- deploy` and `nx test` work before any build).
 *
 * The development-only commands use Prisma's own schema engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm, the version that matches the installed prisma) driven through the
 * pg driver adapter: `create` writes a new migration from the difference between the migrations
 * and schema.prisma (replayed in a throwaway shadow database); `check` fails when schema.prisma
 * has changes that no migration carries.
 *
 * The wasm module is instantiated by hand so that no --experimental-wasm-modules flag is needed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
export const schemaPath = join(repoRoot, 'libs', 'tracking', 'prisma', 'schema.prisma');
export const migrationsDir = join(repoRoot, 'libs', 'tracking', 'prisma', 'migrations');
const require = createRequire(import.meta.url);

const trackingDir = join(repoRoot, 'libs', 'tracking');
const RUNNER_SOURCES = ['migrate.ts', 'migrate-cli.ts', 'config.ts'];

/**
 * The path of the migration runner's CLI (libs/tracking/dist/migrate-cli.js), compiled from its
 * sources with tsc (libs/tracking/tsconfig.migrate.json, seconds) when missing or out of date.
 * Run it as `node <path> deploy` with DATABASE_URL set.
 */
export function runnerEntry() {
  const entry = join(trackingDir, 'dist', 'migrate-cli.js');
  const built = RUNNER_SOURCES.map((f) => join(trackingDir, 'dist', f.replace(/\.ts$/, '.js')));
  const newestSource = Math.max(...RUNNER_SOURCES.map((f) => statSync(join(trackingDir, 'src', f)).mtimeMs));
  if (!built.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource)) {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(trackingDir, 'tsconfig.migrate.json')], { cwd: repoRoot, stdio: 'inherit' });
  }
  return entry;
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

/** @returns {Promise<any>} the SchemaEngine class */
async function loadEngineClass() {
  // The engine reports a Rust panic through this global (the Prisma CLI installs the same).
  const registry = /** @type {any} */ (globalThis);
  registry.PRISMA_WASM_PANIC_REGISTRY ??= {
    /** @param {string} message */
    set_message(message) {
      registry.PRISMA_WASM_PANIC_MESSAGE = message;
    },
  };
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bg = await import(pathToFileURL(bgPath).href);
  const bytes = readFileSync(bgPath.replace(/schema_engine_bg\.js$/, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  /** @type {any} */ (instance.exports).__wbindgen_start?.();
  return bg.SchemaEngine;
}

/**
 * @param {string} databaseUrl
 * @param {(line: string) => void} log
 */
async function openEngine(databaseUrl, log) {
  const SchemaEngine = await loadEngineClass();
  const { PrismaPg } = require('@prisma/adapter-pg');
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  const schema = readFileSync(schemaPath, 'utf8');
  // Connection fields, not a connectionString: the adapter opens the shadow database with
  // { ...config, database }, and a connectionString would override that database name.
  const config = pgConfig(databaseUrl);
  const base = new PrismaPg(config);
  // The adapter's own shadow database is dropped before its pool closes, which PostgreSQL refuses;
  // this one closes first and drops with FORCE.
  base.connectToShadowDb = async () => {
    const pg = require('pg');
    const name = `herald_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client(config);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    // Built as the adapter builds its own shadow connection (same class, a plain pool, no options).
    const probe = await base.connect();
    const AdapterClass = /** @type {any} */ (probe).constructor;
    await probe.dispose();
    const pool = new pg.Pool({ ...config, database: name });
    return typeCharColumns(new AdapterClass(pool, undefined, async () => {
      await pool.end();
      const cleaner = new pg.Client(config);
      await cleaner.connect();
      await cleaner.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleaner.end();
    }));
  };
  const factory = bindMigrationAwareSqlAdapterFactory(base);
  /** @param {string} message */
  const onLog = (message) => {
    if (process.env.HERALD_MIGRATE_DEBUG) log(String(message));
  };
  const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, onLog, factory);
  return { engine, schema };
}

/**
 * adapter-pg 7.10 cannot map PostgreSQL's one-byte "char" type (OID 18) and throws, but the
 * engine's schema description reads catalog columns of that type (relkind, contype, ...) and wants
 * them typed as Character. On the shadow adapter only, results are read with such columns
 * reported as text (their values already parse as strings) and then typed Character.
 * Used by the `create` and `check` dev commands.
 * @param {any} adapter a PrismaPgAdapter
 */
function typeCharColumns(adapter) {
  const CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
  /** @type {WeakMap<object, number[]>} */
  const charColumns = new WeakMap();
  const performIO = adapter.performIO.bind(adapter);
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.performIO = async (/** @type {any} */ query) => {
    const result = await performIO(query);
    /** @type {number[]} */
    const indexes = [];
    (result?.fields ?? []).forEach((/** @type {any} */ field, /** @type {number} */ i) => {
      if (field.dataTypeID === 18) {
        field.dataTypeID = 25;
        indexes.push(i);
      }
    });
    if (indexes.length && result.rows) charColumns.set(result.rows, indexes);
    return result;
  };
  adapter.queryRaw = async (/** @type {any} */ query) => {
    const out = await queryRaw(query);
    for (const i of charColumns.get(out.rows) ?? []) out.columnTypes[i] = CHARACTER;
    return out;
  };
  return adapter;
}

/** @param {string} url */
export function pgConfig(url) {
  const u = new URL(url);
  const ssl = u.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || 'postgres',
    password: decodeURIComponent(u.password) || undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    ssl: ssl && ssl !== 'disable' ? { rejectUnauthorized: ssl === 'verify-full' } : undefined,
  };
}

/** The migrations folder in the engine's format. */
export function readMigrations(dir = migrationsDir) {
  const lockPath = join(dir, 'migration_lock.toml');
  const entries = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: entries.map((name) => {
      const file = join(dir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok', value: readFileSync(file, 'utf8') }
            : { tag: 'error', value: `missing ${file}` },
        },
      };
    }),
  };
}

/**
 * The SQL that would bring the migrations up to schema.prisma ('' when they agree).
 * @param {{ databaseUrl: string, log?: (line: string) => void }} options
 */
export async function pendingSchemaChange({ databaseUrl, log = console.log }) {
  const { engine, schema } = await openEngine(databaseUrl, log);
  try {
    const migrations = readMigrations();
    const from = migrations.migrationDirectories.length ? { tag: 'migrations', ...migrations } : { tag: 'empty' };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    const sql = String(out.stdout ?? '');
    return /^\s*(--.*\n?\s*)*$/.test(sql) || /This is an empty migration/.test(sql) ? '' : sql;
  } finally {
    engine.free();
  }
}

/**
 * Writes libs/tracking/prisma/migrations/<timestamp>_<name>/migration.sql when schema.prisma
 * differs from the migrations. Returns the folder name, or null when nothing changed.
 * @param {{ databaseUrl: string, name: string, log?: (line: string) => void }} options
 */
export async function create({ databaseUrl, name, log = console.log }) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name must be snake_case: ${name}`);
  const sql = await pendingSchemaChange({ databaseUrl, log });
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  const folder = `${stamp}_${name}`;
  mkdirSync(join(migrationsDir, folder), { recursive: true });
  writeFileSync(join(migrationsDir, folder, 'migration.sql'), sql);
  const lock = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lock)) {
    writeFileSync(lock, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
  }
  return folder;
}
