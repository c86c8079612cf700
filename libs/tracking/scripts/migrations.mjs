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
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const trackingDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
export const schemaPath = join(trackingDir, 'prisma', 'schema.prisma');
export const migrationsDir = join(trackingDir, 'prisma', 'migrations');
const require = createRequire(import.meta.url);
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
    const tsc = require.resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(trackingDir, 'tsconfig.migrate.json')], { cwd: trackingDir, stdio: 'inherit' });
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
 * adapter-pg 7.10 cannot map PostgreSQL's one-byte "char" type (OID 18) and throws, but the
 * engine's schema description reads catalog columns of that type (relkind, contype, ...) and wants
 * them typed as Character. Their values already arrive as one-character strings, so this pool (a
 * pg.Pool, overriding only its public query method) reports such columns as text and remembers
 * which they were; the shadow adapter below then types them Character.
 * Used for the shadow database of the `create` and `check` commands.
 * @param {import('pg').PoolConfig} config
 * @param {WeakMap<object, number[]>} charColumns result rows -> indexes of "char" columns
 */
function charAsTextPool(config, charColumns) {
  const pg = require('pg');
  class CharAsTextPool extends pg.Pool {
    /**
     * @override
     * @param {any[]} args
     */
    async query(...args) {
      const result = await /** @type {any} */ (super.query)(...args);
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
    }
  }
  return new CharAsTextPool(config);
}

/**
 * The engine's driver adapter factory, built on the public interfaces only: the pg adapter for the
 * database itself, and a shadow database of our own (created here, dropped WITH (FORCE) after its
 * pool closed; the adapter's own shadow database is dropped while its pool is open, which
 * PostgreSQL refuses).
 * @param {string} databaseUrl
 * @returns {import('@prisma/driver-adapter-utils').SqlMigrationAwareDriverAdapterFactory}
 */
function adapterFactory(databaseUrl) {
  const config = { connectionString: databaseUrl };
  const pg = require('pg');
  const { PrismaPg } = require('@prisma/adapter-pg');
  const { ColumnTypeEnum } = require('@prisma/driver-adapter-utils');
  const main = new PrismaPg(config);
  /** @param {string} sql */
  const admin = async (sql) => {
    const client = new pg.Client(config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    provider: 'postgres',
    adapterName: main.adapterName,
    connect: () => main.connect(),
    connectToShadowDb: async () => {
      const name = `herald_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
      await admin(`CREATE DATABASE "${name}"`);
      /** @type {WeakMap<object, number[]>} */
      const charColumns = new WeakMap();
      const shadowUrl = new URL(databaseUrl);
      shadowUrl.pathname = `/${name}`;
      const pool = charAsTextPool({ connectionString: shadowUrl.toString() }, charColumns);
      const adapter = await new PrismaPg(pool).connect();
      /** @type {import('@prisma/driver-adapter-utils').SqlDriverAdapter} */
      const shadow = {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        queryRaw: async (q) => {
          const out = await adapter.queryRaw(q);
          for (const i of charColumns.get(out.rows) ?? []) out.columnTypes[i] = ColumnTypeEnum.Character;
          return out;
        },
        executeRaw: (q) => adapter.executeRaw(q),
        executeScript: (script) => adapter.executeScript(script),
        startTransaction: (level) => adapter.startTransaction(level),
        getConnectionInfo: () => adapter.getConnectionInfo(),
        dispose: async () => {
          await adapter.dispose();
          await pool.end();
          await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        },
      };
      return shadow;
    },
  };
}

/**
 * @param {string} databaseUrl
 * @param {(line: string) => void} log
 */
async function openEngine(databaseUrl, log) {
  const SchemaEngine = await loadEngineClass();
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  const schema = readFileSync(schemaPath, 'utf8');
  const factory = bindMigrationAwareSqlAdapterFactory(adapterFactory(databaseUrl));
  /** @param {string} message */
  const onLog = (message) => {
    if (process.env.HERALD_MIGRATE_DEBUG) log(String(message));
  };
  const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, onLog, factory);
  return { engine, schema };
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
 * The SQL that would bring the migrations (in `dir`, by default libs/tracking/prisma/migrations)
 * up to schema.prisma ('' when they agree).
 * @param {{ databaseUrl: string, dir?: string, log?: (line: string) => void }} options
 */
export async function pendingSchemaChange({ databaseUrl, dir = migrationsDir, log = console.log }) {
  const { engine, schema } = await openEngine(databaseUrl, log);
  try {
    const migrations = readMigrations(dir);
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
