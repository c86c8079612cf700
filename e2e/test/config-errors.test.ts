/**
 * Configuration errors stop a process at start, with exit code 1 and a message that names each
 * bad variable (and never echoes a secret).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@herald/testing';

const run = promisify(execFile);

async function start(app: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [join(repoRoot, 'apps', app, 'dist', 'main.js')], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 15_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

describe('configuration errors', () => {
  it.each([
    ['ingest-api', { PORT: 'abc', KAFKA_BROKERS: 'no-port' }, ['PORT must be an integer from 0 to 65535 (got "abc")', 'KAFKA_BROKERS must be host:port pairs: no-port']],
    ['ingest-api', { WEB_CONCURRENCY: '0', API_KEYS: 'acme:short' }, ['WEB_CONCURRENCY must be an integer from 1 to 64 (got "0")', 'API_KEYS must be name:key pairs']],
    ['kafka-bridge', { REDIS_URL: 'http://x', BACKPRESSURE_HIGH_WATERMARK: '-1' }, ['REDIS_URL must be a URL with protocol redis or rediss (got ***)', 'BACKPRESSURE_HIGH_WATERMARK must be an integer']],
    ['email-worker', { SMTP_URL: 'mailto:x', IN_DOUBT_POLICY: 'maybe' }, ['SMTP_URL must be a URL with protocol smtp or smtps (got ***)', 'IN_DOUBT_POLICY must be one of: resend, fail (got "maybe")']],
    ['email-worker', { SEND_TIMEOUT_MS: '5000', SEND_LEASE_MS: '1000' }, ['SEND_LEASE_MS (1000) must exceed SEND_TIMEOUT_MS (5000)']],
    ['sms-worker', { SMS_PROVIDER_URL: 'ftp://gateway', DATABASE_URL: 'mysql://u:secret@h/d' }, ['SMS_PROVIDER_URL must be a URL with protocol http or https', 'DATABASE_URL must be a URL with protocol postgres or postgresql (got ***)']],
  ] as const)('%s stops with exit code 1 and names every bad variable', async (app, env, messages) => {
    const { code, stderr } = await start(app, env);
    expect(code).toBe(1);
    expect(stderr).toContain(`${app}: Invalid configuration:`);
    for (const message of messages) expect(stderr).toContain(message);
    expect(stderr).not.toContain('secret');
  });
});
