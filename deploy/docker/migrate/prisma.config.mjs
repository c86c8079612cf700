// @ts-check
/**
 * Prisma CLI configuration for the migration image's `migrate-prisma-cli` target
 * (deploy/docker/migrate.Dockerfile), where it sits at /app/prisma.config.mjs beside
 * libs/tracking/prisma. Prisma 7 takes the datasource URL from here, not from schema.prisma;
 * DATABASE_URL comes from the Job's environment (a Secret). Paths are relative to this file.
 */
// The prisma CLI is installed in the migration image beside this file; deploy itself never loads it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'libs/tracking/prisma/schema.prisma',
  migrations: { path: 'libs/tracking/prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
