#!/usr/bin/env node
// @ts-check
/**
 * npm run docs: writes the README's configuration reference from the configuration specs the
 * services parse at start (built apps: run npm run build first), then the charts' schemas and
 * parameter tables (deploy/scripts/generate.mjs) from the same specs. With --check it changes nothing
 * and exits 1 when the reference is out of date (a test runs it that way). With --figures it also
 * writes the failure-test figures of the last npm test (tmp/failure-report.jsonl) into the README:
 * measured, never typed in (--check leaves that section alone: measurements change).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderConfigTable, replaceBetweenMarkers } from './config-docs.mjs';
import { APPS, repoRoot } from './workspace.mjs';

const require = createRequire(import.meta.url);
const { describeConfig } = require('@herald/runtime');

const sections = APPS.map((app) => {
  const { configSpec } = require(`@herald/${app}/config`);
  return `#### ${app}\n\n${renderConfigTable(describeConfig(configSpec))}`;
});
const readmePath = path.join(repoRoot, 'README.md');
const current = readFileSync(readmePath, 'utf8');
let next = replaceBetweenMarkers(current, 'config', sections.join('\n\n'));
if (process.argv.includes('--figures')) next = replaceBetweenMarkers(next, 'failures', failureTable());

function failureTable() {
  const file = path.join(repoRoot, 'tmp', 'failure-report.jsonl');
  if (!existsSync(file)) throw new Error('no tmp/failure-report.jsonl: run npm test first');
  /** @type {Map<string, any>} */
  const latest = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line);
    latest.set(f.test, f);
  }
  const seconds = (/** @type {any} */ f) =>
    f.secondsToFinalAfterLoad ?? f.secondsToAllSentAfterRecovery ?? f.secondsToFinalAfterKafkaBack ?? f.secondsToSentAfterReplay ?? '';
  /** Figures of their own that some tests measure, by key, as the table's last column shows them. */
  const OTHER = {
    secondsToSecondary: 's to the secondary',
    sentToPrimaryAfterRecovery: 'back at the primary',
    throttledCalls: 'throttled calls',
    mostThrottledOneDelivery: 'most on one delivery',
    busiestSecond: 'busiest second',
    smallP99AloneMs: 'p99 alone ms',
    smallP99WithBulkMs: 'p99 beside the bulk ms',
    highP99IdleMs: 'p99 idle ms',
    highP99UnderBacklogMs: 'p99 under the backlog ms',
    bulkP99Ms: 'bulk p99 ms',
    ratio: 'ratio',
  };
  const other = (/** @type {any} */ f) =>
    Object.entries(OTHER)
      .filter(([key]) => f[key] !== undefined)
      .map(([key, label]) => `${label} ${f[key]}`)
      .join(', ');
  const rows = [...latest.values()].map(
    (f) => `| ${f.test} | ${f.accepted ?? f.requests} | ${f.lost ?? 0} | ${f.duplicated ?? (f.emails !== undefined ? f.emails - 1 : 0)} | ${seconds(f)} | ${other(f)} |`,
  );
  const when = [...latest.values()].map((f) => f.at).sort().at(-1);
  return [
    `Measured by \`npm test\` on ${when?.slice(0, 10)} (a 2-core machine running every component), written here by \`npm run docs -- --figures\`:`,
    '',
    '| Failure test | Accepted | Lost | Duplicated | Seconds to all final after recovery | Other figures |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
if (process.argv.includes('--check')) {
  if (replaceBetweenMarkers(current, 'config', sections.join('\n\n')) !== current) {
    process.stderr.write('README.md: the configuration reference is out of date; run npm run docs\n');
    process.exit(1);
  }
  process.stdout.write('README.md configuration reference is up to date\n');
} else {
  writeFileSync(readmePath, next);
  process.stdout.write(next === current ? 'README.md already up to date\n' : 'README.md configuration reference written\n');
  const charts = spawnSync(process.execPath, [path.join(repoRoot, 'deploy', 'scripts', 'generate.mjs')], { stdio: 'inherit' });
  process.exit(charts.status ?? 1);
}
