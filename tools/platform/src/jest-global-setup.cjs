// @ts-check
/**
 * Jest globalSetup for projects with integration tests, so that `nx test <app>` works on its own:
 * brings up Kafka, Redis and PostgreSQL when they are down and migrates the test template
 * database. `npm test` has done both already and says so with HERALD_PLATFORM_READY=1.
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.HERALD_PLATFORM_READY === '1') return;
  const root = join(__dirname, '..', '..', '..');
  const { platformUp, templateDatabaseUrl } = await import(join(root, 'tools/platform/src/platform.mjs'));
  const up = await platformUp({ only: ['kafka', 'redis', 'postgres'], log: () => undefined });
  if (!up.ok) throw new Error(`platform not up: ${up.results.map((/** @type {{ name: string; line: string }} */ r) => `${r.name}: ${r.line}`).join('; ')}`);
  const { runnerEntry } = await import('@herald/tracking/scripts/migrations');
  execFileSync(process.execPath, [runnerEntry(), 'deploy'], {
    env: { ...process.env, DATABASE_URL: templateDatabaseUrl() },
    stdio: 'ignore',
  });
  process.env.HERALD_PLATFORM_READY = '1';
};
