/** The Prisma client over the pg driver adapter (no native engine needed at runtime). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type { PrismaClient } from './generated/prisma/client';

export interface DatabaseSettings {
  databaseUrl: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  /** Cancel a statement that runs longer than this (milliseconds). */
  statementTimeoutMs?: number;
}

export function createPrismaClient(settings: DatabaseSettings): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: settings.databaseUrl,
    max: settings.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: settings.statementTimeoutMs ?? 15_000,
  });
  return new PrismaClient({ adapter });
}
