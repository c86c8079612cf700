/**
 * The production migration runner: applies libs/tracking/prisma/migrations in order and records
 * them in `_prisma_migrations` exactly as `prisma migrate deploy` does, on the public `pg` API
 * only (no Prisma engine, no driver adapter).
 *
 * - Each migration runs in its own transaction together with its `_prisma_migrations` row
 *   (id, checksum = sha256 hex of migration.sql, started_at, finished_at, applied_steps_count 1).
 * - A migration that fails is rolled back and recorded as Prisma records a failure (finished_at
 *   and rolled_back_at null, the error in logs); every later run refuses until it is resolved
 *   (`prisma migrate resolve`, or the row marked rolled back), as Prisma does.
 * - A migration whose migration.sql changed after it was applied (checksum mismatch) is refused.
 * - A session advisory lock, the same key Prisma's schema engine takes on PostgreSQL, so that two
 *   replicas or Jobs (or this runner and `prisma migrate deploy`) never apply at the same time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type ClientConfig } from 'pg';

/** libs/tracking/prisma/migrations, from src/ and from dist/ alike. */
export const migrationsDir = join(__dirname, '..', 'prisma', 'migrations');

/** The advisory lock key of Prisma's schema engine on PostgreSQL. */
export const MIGRATION_LOCK_KEY = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface DeployOptions {
  databaseUrl: string;
  /** Defaults to libs/tracking/prisma/migrations. */
  dir?: string;
  log?: (line: string) => void;
}

/** Why a deploy refused or failed; `code` is stable. */
export class MigrationError extends Error {
  constructor(
    readonly code: 'MIGRATION_FAILED_BEFORE' | 'MIGRATION_MODIFIED' | 'MIGRATION_FAILED' | 'MIGRATION_MISSING_FILE',
    message: string,
    readonly migration: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** sha256 hex of the script, as Prisma computes a migration's checksum. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Prisma also accepts a checksum taken before line endings were converted (CRLF and LF). */
function matchesChecksum(sql: string, checksum: string): boolean {
  return [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\r?\n/g, '\r\n')].some((s) => checksumOf(s) === checksum);
}

/** The migration folders, sorted by name as Prisma sorts them. */
export function readMigrationFiles(dir: string = migrationsDir): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, 'migration.sql');
      if (!existsSync(file)) throw new MigrationError('MIGRATION_MISSING_FILE', `${name} has no migration.sql (${file})`, name);
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Connection fields from a postgresql:// URL, with sslmode read as Prisma reads it. */
export function clientConfig(databaseUrl: string): ClientConfig {
  const u = new URL(databaseUrl);
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
  };
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies every migration not yet applied, in order. Returns the names just applied ([] when the
 * database was up to date). Throws MigrationError when it refuses or a migration fails.
 */
export async function deployMigrations(options: DeployOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const migrations = readMigrationFiles(options.dir);
  const client = new Client(clientConfig(options.databaseUrl));
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name',
      );
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new MigrationError(
          'MIGRATION_FAILED_BEFORE',
          `migration ${failed.migration_name} failed before and is not resolved: fix the database, then mark it rolled back or applied (prisma migrate resolve)`,
          failed.migration_name,
        );
      }
      const applied = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]));
      for (const m of migrations) {
        const row = applied.get(m.name);
        if (row && !matchesChecksum(m.sql, row.checksum)) {
          throw new MigrationError('MIGRATION_MODIFIED', `migration ${m.name} was modified after it was applied (checksum ${row.checksum} recorded, ${m.checksum} now)`, m.name);
        }
      }
      const done: string[] = [];
      for (const m of migrations.filter((x) => !applied.has(x.name))) {
        await applyOne(client, m);
        log(`applied ${m.name}`);
        done.push(m.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: Client, m: MigrationFile): Promise<void> {
  const id = randomUUID();
  const started = new Date();
  try {
    await client.query('BEGIN');
    // The script goes as one simple query, as Prisma sends it (several statements allowed).
    await client.query(m.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
      [id, m.checksum, m.name, started],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs, applied_steps_count) VALUES ($1, $2, $3, $4, $5, 0)`,
      [id, m.checksum, m.name, started, message],
    );
    throw new MigrationError('MIGRATION_FAILED', `migration ${m.name} failed and was rolled back: ${message}`, m.name);
  }
}
