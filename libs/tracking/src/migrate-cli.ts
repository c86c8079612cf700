/**
 * node libs/tracking/dist/migrate-cli.js [deploy]
 * Applies the pending migrations to DATABASE_URL (src/migrate.ts); exits 0 when the database is
 * up to date, 1 on any failure. The migration image's command, and what `npm run migrate -- deploy`,
 * `npm start`, `npm test` and the bench run.
 */
import { loadMigrateConfig } from './config';
import { deployMigrations } from './migrate';

async function main(command: string): Promise<number> {
  try {
    if (command !== 'deploy') throw new Error(`unknown command ${command} (deploy; create and check are npm run migrate -- create|check)`);
    const { databaseUrl } = loadMigrateConfig();
    const safeUrl = databaseUrl.replace(/\/\/[^@/]*@/, '//***@');
    const applied = await deployMigrations({ databaseUrl });
    process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${safeUrl}\n` : `${safeUrl} is up to date\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`migrate ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main(process.argv[2] ?? 'deploy').then((code) => {
  process.exitCode = code;
});
