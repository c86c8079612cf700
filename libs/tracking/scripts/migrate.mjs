#!/usr/bin/env node
// @ts-check
/**
 * npm run migrate -- deploy            apply pending migrations to DATABASE_URL (the runner of
 *                                      libs/tracking: node libs/tracking/dist/migrate-cli.js deploy)
 * npm run migrate -- create <name>     write a new migration from schema.prisma changes
 * npm run migrate -- check             exit 1 if schema.prisma has changes no migration carries
 * DATABASE_URL defaults to the local herald database.
 */
import { spawnSync } from 'node:child_process';
import { create, pendingSchemaChange, runnerEntry } from './migrations.mjs';

const [command = 'deploy', name] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/herald';

try {
  if (command === 'deploy') {
    const run = spawnSync(process.execPath, [runnerEntry(), 'deploy'], { stdio: 'inherit', env: { ...process.env, DATABASE_URL: databaseUrl } });
    process.exit(run.status ?? 1);
  } else if (command === 'create') {
    if (!name) throw new Error('usage: migrate create <snake_case_name>');
    const folder = await create({ databaseUrl, name });
    console.log(folder ? `wrote libs/tracking/prisma/migrations/${folder}/migration.sql` : 'schema.prisma matches the migrations: nothing to create');
  } else if (command === 'check') {
    const sql = await pendingSchemaChange({ databaseUrl });
    if (sql) {
      console.error(`schema.prisma has changes that no migration carries:\n${sql}\nRun: npm run migrate -- create <name>`);
      process.exit(1);
    }
    console.log('schema.prisma matches the migrations');
  } else {
    throw new Error(`unknown command ${command} (deploy, create <name>, check)`);
  }
} catch (error) {
  console.error(`migrate ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
// The driver adapter's pool would otherwise keep the process alive until its idle timeout.
process.exit(0);
