/**
 * The migration runner's configuration (libs/tracking/src/migrate-cli.ts): the only module of
 * this library that reads process.env. Kept free of other Herald libraries so that the migration
 * image compiles and ships the runner alone.
 */
export interface MigrateConfig {
  /** PostgreSQL to migrate; the local herald database when unset, as `npm run migrate` has always done. */
  databaseUrl: string;
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/herald';

export function loadMigrateConfig(env: NodeJS.ProcessEnv = process.env): MigrateConfig {
  const databaseUrl = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  const protocol = URL.canParse(databaseUrl) ? new URL(databaseUrl).protocol : '';
  if (protocol !== 'postgresql:' && protocol !== 'postgres:') throw new Error('DATABASE_URL must be a postgresql:// URL');
  return { databaseUrl };
}
