/**
 * Where the test harness finds its services: the environment, with local defaults (the services
 * `npm test` brings up). The only module of the harness that reads process.env.
 */
import { resolve } from 'node:path';
import { HOST_PORT, parseConfig, v, type ConfigOf } from '@herald/runtime';

export const testConfigSpec = {
  HERALD_TEST_SERVICES: v.oneOf(['local', 'containers', 'auto'] as const, {
    description: 'local: use the services at the addresses below; containers: start them with testcontainers (needs a Docker engine); auto: containers when a Docker engine answers and no local Kafka does.',
    default: 'local',
  }),
  KAFKA_BROKERS: v.list({ description: 'Kafka for tests.', default: ['127.0.0.1:9092'], item: HOST_PORT, hint: 'must be host:port pairs' }),
  REDIS_URL: v.url({ description: 'Redis for tests.', protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379' }),
  DATABASE_ADMIN_URL: v.url({ description: 'PostgreSQL server for tests (a database with rights to create databases).', protocols: ['postgres', 'postgresql'], default: 'postgresql://postgres@127.0.0.1:5432/postgres' }),
  DATABASE_TEMPLATE: v.string({ description: 'Migrated template database cloned for each test.', default: 'herald_test' }),
  HERALD_TEST_LOG_DIR: v.string({ description: 'Where the logs of processes started by tests go.', default: 'tmp/test-logs' }),
};

export type TestConfig = ConfigOf<typeof testConfigSpec>;

let cached: TestConfig | undefined;

export function testConfig(): TestConfig {
  cached ??= parseConfig(testConfigSpec, process.env);
  return cached;
}

/** The repository root (the harness runs built apps and tools from it); the same from src and dist. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** The environment a spawned service inherits: PATH and friends, none of the test's own settings. */
export function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])));
}
