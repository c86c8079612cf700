/** What the figures were measured on: hardware, operating system and the versions of every component. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createRedis } from '@herald/queues';
import { createLogger } from '@herald/runtime';
import { repoRoot, testConfig } from '@herald/testing';
import { createPrismaClient } from '@herald/tracking';
import type { MachineInfo } from './results';

const silent = createLogger({ service: 'bench', level: 'silent' });

function safely<T>(fallback: T, read: () => T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

async function safelyAsync(fallback: string, read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch {
    return fallback;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpu = safely(cpus()[0]?.model ?? 'unknown CPU', () => /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU');
  const os = safely('Linux', () => /PRETTY_NAME="?([^"\n]+)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux');
  const kafkaLibs = join(repoRoot, '.local', 'kafka', 'libs');
  const kafka = safely('unknown', () => {
    const jar = existsSync(kafkaLibs) ? readdirSync(kafkaLibs).find((f) => /^kafka_2\.\d+-[\d.]+\.jar$/.test(f)) : undefined;
    return jar ? (/-([\d.]+)\.jar$/.exec(jar)?.[1] ?? 'unknown') : 'unknown';
  });
  const config = testConfig();
  const postgres = await safelyAsync('unknown', async () => {
    const prisma = createPrismaClient({ databaseUrl: config.DATABASE_ADMIN_URL, poolSize: 1 });
    try {
      const rows = await prisma.$queryRaw<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`;
      return rows[0]?.v?.split(' ')[0] ?? 'unknown';
    } finally {
      await prisma.$disconnect();
    }
  });
  const redis = await safelyAsync('unknown', async () => {
    const client = createRedis(config.REDIS_URL, 'worker', silent);
    try {
      return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    } finally {
      client.disconnect();
    }
  });
  const commit = safely('unknown', () => {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  });
  return {
    cpu,
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    os,
    node: process.versions.node,
    kafka,
    postgres,
    redis,
    commit,
    note: 'Everything (Kafka, PostgreSQL, Redis, the services, the sinks and the load generator) ran on this one machine, which is shared: other work may have been running.',
    load_average: { start: Math.round((loadavg()[0] ?? 0) * 100) / 100, end: null },
  };
}
