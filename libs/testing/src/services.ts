/**
 * The backing services for a test run: the local ones (what `npm test` brings up, or any given
 * by environment variables), or containers started with testcontainers where a Docker engine
 * answers (HERALD_TEST_SERVICES=containers, or auto). These machines have no Docker engine, so
 * the container path runs on laptops and in CI with Docker only.
 */
import { execFileSync } from 'node:child_process';
import { deployMigrations } from '@herald/tracking/migrate';
import { testConfig } from './config';

export interface BackingServices {
  kafkaBrokers: string[];
  redisUrl: string;
  databaseAdminUrl: string;
  databaseTemplate: string;
  stop(): Promise<void>;
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(template: string): Promise<BackingServices> {
  const [{ KafkaContainer }, { PostgreSqlContainer }, { RedisContainer }] = await Promise.all([
    import('@testcontainers/kafka'),
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
  ]);
  const [kafka, postgres, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(),
    new PostgreSqlContainer('postgres:15').withDatabase(template).withUsername('postgres').withPassword('postgres').start(),
    new RedisContainer('redis:7').withCommand(['redis-server', '--maxmemory-policy', 'noeviction']).start(),
  ]);
  // Migrate the template database that each test clones.
  await deployMigrations({ databaseUrl: `postgresql://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}/${template}` });
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    redisUrl: redis.getConnectionUrl(),
    databaseAdminUrl: `postgresql://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}/postgres`,
    databaseTemplate: template,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), postgres.stop(), redis.stop()]);
    },
  };
}

let shared: Promise<BackingServices> | undefined;

/** The services for this test process (started once, shared by its tests). */
export function backingServices(): Promise<BackingServices> {
  const config = testConfig();
  const useContainers = config.HERALD_TEST_SERVICES === 'containers' || (config.HERALD_TEST_SERVICES === 'auto' && dockerAnswers());
  shared ??= useContainers
    ? startContainers(config.DATABASE_TEMPLATE)
    : Promise.resolve({
        kafkaBrokers: config.KAFKA_BROKERS,
        redisUrl: config.REDIS_URL,
        databaseAdminUrl: config.DATABASE_ADMIN_URL,
        databaseTemplate: config.DATABASE_TEMPLATE,
        stop: async () => undefined,
      });
  return shared;
}
