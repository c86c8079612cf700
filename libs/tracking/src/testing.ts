/**
 * @herald/tracking/testing: a fresh, migrated database per test suite, cloned from a template
 * database that the test setup migrated once (CREATE DATABASE ... TEMPLATE is a file copy: fast),
 * or an empty one (no template: what the migration runner's own tests start from).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** A URL of the server (any database on it) with rights to create databases. */
  adminUrl: string;
  /** The migrated template database; without one the database is created empty. */
  template?: string;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `run` on a client connected to `url`, then closes it. */
export async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const name = `herald_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = options.template === undefined ? '' : ` TEMPLATE "${options.template}"`;
  await withClient(options.adminUrl, async (client) => {
    // The template must have no other session while it is copied; retry briefly if one lingers.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await client.query(`CREATE DATABASE "${name}"${template}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  return {
    name,
    url: withDatabase(options.adminUrl, name),
    drop: () => withClient(options.adminUrl, async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
