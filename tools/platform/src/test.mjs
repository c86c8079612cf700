#!/usr/bin/env node
// @ts-check
/**
 * npm test: everything a fresh clone needs, then every check, then one line "N passed, N failed".
 *
 *  1. install dependencies if missing; build every project (Prisma client generated on the way)
 *  2. typecheck and lint every project (module boundaries included)
 *  3. bring up Kafka, Redis and PostgreSQL (starting what is down), migrate the test template
 *     database, and check that schema.prisma and the migrations agree
 *  4. unit tests (src/**\/*.spec.ts) in parallel, then integration tests (test/**\/*.test.ts) one
 *     file at a time against the real services, each reading Jest's JSON results
 *  5. stop the services this run started; write tmp/test-results.json
 *
 * The counts are Jest's tests plus one per check step; a skipped test counts as a failure.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureInstalled, exec, nx, repoRoot, say, step } from './workspace.mjs';

const resultsDir = path.join(repoRoot, 'tmp');
mkdirSync(resultsDir, { recursive: true });
const figuresFile = path.join(resultsDir, 'failure-report.jsonl');
rmSync(figuresFile, { force: true });
/** @type {{ name: string, ok: boolean, ms: number }[]} */
const checks = [];
/** @type {{ suite: string, passed: number, failed: number, skipped: number, failures: string[] }[]} */
const suites = [];

/**
 * @param {string} label
 * @param {string[]} args jest arguments
 */
async function jest(label, args) {
  const out = path.join(resultsDir, `jest-${label}.json`);
  rmSync(out, { force: true });
  const code = await exec(path.join(repoRoot, 'node_modules', '.bin', 'jest'), [...args, '--forceExit', '--json', `--outputFile=${out}`], {
    env: { HERALD_PLATFORM_READY: '1', FORCE_COLOR: '0' },
  });
  if (!existsSync(out)) {
    suites.push({ suite: label, passed: 0, failed: 1, skipped: 0, failures: [`jest produced no results (exit ${code})`] });
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const failures = (r.testResults ?? []).flatMap((/** @type {any} */ t) =>
    t.status === 'failed' ? [`${path.relative(repoRoot, t.name)}: ${(t.failureMessage ?? t.message ?? '').split('\n')[0]}`] : [],
  );
  suites.push({
    suite: label,
    passed: r.numPassedTests,
    failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    failures,
  });
}

const installed = await step('install dependencies', ensureInstalled);
checks.push(installed);
let platformStarted = /** @type {string[]} */ ([]);
if (installed.ok) {
  const build = await step('build every project', () => nx(['build']));
  checks.push(build);
  checks.push(await step('typecheck and lint every project', () => nx(['typecheck', 'lint'])));
  const { platformUp, platformDown, templateDatabaseUrl } = await import('./platform.mjs');
  const platform = await step('bring up Kafka, Redis and PostgreSQL', async () => {
    const up = await platformUp({ only: ['kafka', 'redis', 'postgres'], log: (line) => say(`  ${line}`) });
    for (const r of up.results) say(`  ${r.name.padEnd(9)} ${r.line}`);
    platformStarted = up.results.filter((r) => r.ok && r.startedNow).map((r) => r.name);
    return up.ok;
  });
  checks.push(platform);
  if (platform.ok) {
    const template = templateDatabaseUrl();
    const { runnerEntry } = await import('@herald/tracking/scripts/migrations');
    const migrated = await step('migrate the test template database', () => exec(process.execPath, [runnerEntry(), 'deploy'], { env: { DATABASE_URL: template } }));
    checks.push(migrated);
    checks.push(await step('schema.prisma and the migrations agree', () => exec(process.execPath, ['libs/tracking/scripts/migrate.mjs', 'check'], { env: { DATABASE_URL: template } })));
    if (build.ok && migrated.ok) {
      checks.push(await step('unit tests', async () => (await jest('unit', ['--testPathPatterns', '\\.spec\\.ts$']), true)));
      checks.push(await step('integration tests', async () => (await jest('integration', ['--testPathPatterns', '/test/.*\\.test\\.ts$', '--runInBand']), true)));
    }
  }
  if (platformStarted.length) {
    await step(`stop what this run started (${platformStarted.join(', ')})`, async () => (await platformDown({ only: /** @type {any} */ (platformStarted) })).ok);
  }
}

const failedChecks = checks.filter((c) => !c.ok && c.name !== 'unit tests' && c.name !== 'integration tests');
const passed = suites.reduce((n, s) => n + s.passed, 0) + checks.filter((c) => c.ok && c.name !== 'unit tests' && c.name !== 'integration tests').length;
const failed = suites.reduce((n, s) => n + s.failed + s.skipped, 0) + failedChecks.length;
writeFileSync(path.join(resultsDir, 'test-results.json'), `${JSON.stringify({ passed, failed, checks, suites }, null, 2)}\n`);

if (existsSync(figuresFile)) {
  say('\nFailure tests (figures as measured in this run; README: npm run docs -- --figures)');
  for (const line of readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line);
    say(`  ${f.test}: accepted ${f.accepted ?? f.requests}, lost ${f.lost ?? 0}, duplicated ${f.duplicated ?? 0}`);
  }
}

say('\nSummary');
for (const c of checks) say(`  ${c.ok ? '✔' : '✘'} ${c.name}`);
for (const s of suites) {
  say(`  ${s.suite}: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped (counted as failed)` : ''}`);
  for (const f of s.failures) say(`    ✘ ${f}`);
}
say(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
