/**
 * The database connection of a process: one pg pool, shared by the Prisma client (over the pg
 * driver adapter, no native engine needed at runtime) and by the few hot statements that run
 * once per delivery (the send ledger), which go to the pool directly.
 *
 * Why the ledger skips Prisma: measured on the bench machine, a one-row raw statement cost
 * 0.23 to 0.4 ms of CPU through Prisma 7 and 0.1 ms through pg, and a worker runs two per delivery.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';

export type { PrismaClient } from './generated/prisma/client';

export interface DatabaseSettings {
  databaseUrl: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  /** Cancel a statement that runs longer than this (milliseconds). */
  statementTimeoutMs?: number;
}

/** What the hot paths need of the pool: parameterized statements ($1, $2, ...). */
export interface SqlRunner {
  query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** The pool itself: statements, and a connection of its own for a transaction. */
export interface SqlPool extends SqlRunner {
  connect(): Promise<pg.PoolClient>;
}

/** A statement as Prisma.sql builds it: text with $1, $2, ... placeholders and its values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Runs statements in one transaction on one connection of the pool, straight on pg: the result of
 * each, in order. For the bridge's batches (records accepted, status updates), where Prisma's
 * $transaction cost more CPU than the statements themselves.
 */
export async function inTransaction(pool: SqlPool, statements: readonly Statement[]): Promise<Array<pg.QueryResult>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const results: pg.QueryResult[] = [];
    for (const statement of statements) results.push(await client.query(statement.text, statement.values));
    await client.query('COMMIT');
    return results;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      // A connection that cannot even roll back is not given back to the pool.
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

export interface Database {
  prisma: PrismaClient;
  /** The same pool the Prisma client uses. */
  sql: SqlPool;
  /** Closes the Prisma client and the pool (whether or not Prisma ever connected). */
  close(): Promise<void>;
}

export function createDatabase(settings: DatabaseSettings): Database {
  const pool = new pg.Pool({
    connectionString: settings.databaseUrl,
    max: settings.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: settings.statementTimeoutMs ?? 15_000,
  });
  // An idle connection that breaks (a database restart) is dropped by the pool and the next
  // statement opens a new one; without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  const close = async () => {
    await prisma.$disconnect();
    if (!pool.ending) await pool.end();
  };
  return { prisma, sql: pool, close };
}

export function createPrismaClient(settings: DatabaseSettings): PrismaClient {
  return createDatabase(settings).prisma;
}
