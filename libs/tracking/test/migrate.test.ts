/**
 * The migration runner (src/migrate.ts) against a real PostgreSQL: each case in a scratch
 * database of its own, created empty (not from the template) and dropped afterwards.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationError, checksumOf, deployMigrations, migrationsDir, readMigrationFiles } from '../src/migrate';
import { createTestDatabase, withClient, type TestDatabase } from '../src/testing';

// libs/testing builds on this library, so this test does not use it: the same defaults, read here.
const adminUrl = process.env['DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';
const template = process.env['DATABASE_TEMPLATE'] || 'herald_test';

const scratch: TestDatabase[] = [];
const dirs: string[] = [];

/** An empty database with a unique name; dropped after all tests. */
async function scratchDatabase(): Promise<string> {
  const database = await createTestDatabase({ adminUrl });
  scratch.push(database);
  return database.url;
}

/** A copy of the real migrations folder, to change without touching the repository. */
function migrationsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-migrations-'));
  cpSync(migrationsDir, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

async function recorded(url: string) {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number; logs: string | null; started_at: Date }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs, started_at FROM _prisma_migrations ORDER BY migration_name, started_at',
    );
    return rows;
  });
}

async function tableExists(url: string, table: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0].present as boolean);
}

const names = readMigrationFiles().map((m) => m.name);

afterAll(async () => {
  for (const database of scratch) await database.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('the repository has migrations, sorted by name', () => {
  expect(names.length).toBeGreaterThanOrEqual(1);
  expect([...names].sort()).toEqual(names);
});

test('applies every migration in order to an empty database, records each as prisma migrate deploy does; a second run is a no-op', async () => {
  const url = await scratchDatabase();
  const lines: string[] = [];
  expect(await deployMigrations({ databaseUrl: url, log: (l) => lines.push(l) })).toEqual(names);
  expect(lines).toEqual(names.map((n) => `applied ${n}`));
  const rows = await recorded(url);
  expect(rows.map((r) => r.migration_name)).toEqual(names);
  for (const row of rows) {
    const sql = readFileSync(join(migrationsDir, row.migration_name, 'migration.sql'), 'utf8');
    expect(row.checksum).toBe(checksumOf(sql));
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);
    expect(row.logs).toBeNull();
  }
  expect(await tableExists(url, 'messages')).toBe(true);

  expect(await deployMigrations({ databaseUrl: url })).toEqual([]);
  expect((await recorded(url)).length).toBe(names.length);
});

test('a database the test setup migrated (the template, cloned) is up to date: the checksums agree', async () => {
  const db = await createTestDatabase({ adminUrl, template });
  try {
    expect(await deployMigrations({ databaseUrl: db.url })).toEqual([]);
  } finally {
    await db.drop();
  }
});

test('applies only the migrations that are new', async () => {
  const url = await scratchDatabase();
  const dir = migrationsCopy();
  expect(await deployMigrations({ databaseUrl: url, dir })).toEqual(names);
  mkdirSync(join(dir, '99990101000000_extra'));
  writeFileSync(join(dir, '99990101000000_extra', 'migration.sql'), 'CREATE TABLE "migrate_extra" ("id" INTEGER PRIMARY KEY);\n');
  expect(await deployMigrations({ databaseUrl: url, dir })).toEqual(['99990101000000_extra']);
  expect(await tableExists(url, 'migrate_extra')).toBe(true);
});

test('refuses when an applied migration\'s file changed (checksum mismatch), and applies nothing', async () => {
  const url = await scratchDatabase();
  const dir = migrationsCopy();
  expect(await deployMigrations({ databaseUrl: url, dir })).toEqual(names);
  const first = names[0] as string;
  writeFileSync(join(dir, first, 'migration.sql'), `${readFileSync(join(dir, first, 'migration.sql'), 'utf8')}\n-- edited\n`);
  mkdirSync(join(dir, '99990101000000_extra'));
  writeFileSync(join(dir, '99990101000000_extra', 'migration.sql'), 'CREATE TABLE "migrate_extra" ("id" INTEGER PRIMARY KEY);\n');
  await expect(deployMigrations({ databaseUrl: url, dir })).rejects.toMatchObject({ code: 'MIGRATION_MODIFIED', migration: first, message: expect.stringContaining(`${first} was modified`) });
  expect(await tableExists(url, 'migrate_extra')).toBe(false);
});

test('concurrent runs against one database apply each migration once (advisory lock)', async () => {
  const url = await scratchDatabase();
  const runs = await Promise.all([1, 2, 3, 4].map(() => deployMigrations({ databaseUrl: url })));
  expect(runs.flat().sort()).toEqual(names);
  expect(runs.filter((r) => r.length > 0)).toHaveLength(1);
  const rows = await recorded(url);
  expect(rows.map((r) => r.migration_name)).toEqual(names);
});

test('a failed migration is rolled back, recorded as failed, and every later run refuses until it is resolved', async () => {
  const url = await scratchDatabase();
  const dir = migrationsCopy();
  const broken = '99990101000000_broken';
  mkdirSync(join(dir, broken));
  writeFileSync(join(dir, broken, 'migration.sql'), 'CREATE TABLE "migrate_half" ("id" INTEGER);\nSELECT 1 / 0;\n');
  const error = await deployMigrations({ databaseUrl: url, dir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationError);
  expect(error).toMatchObject({ code: 'MIGRATION_FAILED', migration: broken, message: expect.stringContaining('division by zero') });
  // The migrations before it stay applied; its own statements were rolled back.
  expect(await tableExists(url, 'messages')).toBe(true);
  expect(await tableExists(url, 'migrate_half')).toBe(false);
  const row = (await recorded(url)).find((r) => r.migration_name === broken);
  expect(row).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0, logs: expect.stringContaining('division by zero') });

  // Fixed file or not, the failure must be resolved first, as with prisma migrate deploy.
  writeFileSync(join(dir, broken, 'migration.sql'), 'CREATE TABLE "migrate_half" ("id" INTEGER);\n');
  await expect(deployMigrations({ databaseUrl: url, dir })).rejects.toMatchObject({ code: 'MIGRATION_FAILED_BEFORE', migration: broken });
  expect(await tableExists(url, 'migrate_half')).toBe(false);

  // Marked rolled back (what `prisma migrate resolve --rolled-back` does), the fixed one applies.
  await withClient(url, (c) => c.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1', [broken]));
  expect(await deployMigrations({ databaseUrl: url, dir })).toEqual([broken]);
  expect(await tableExists(url, 'migrate_half')).toBe(true);
});
