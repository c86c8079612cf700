/**
 * `npm run bench`: runs the chosen stages (each next to its bare-library baseline) and the
 * end-to-end rates, prints the table, writes results/latest.json, latest.md and latest.svg (and
 * a copy of the JSON under results/history/), updates the README tables between the bench
 * markers, and stops everything it started, also on Ctrl-C.
 *
 * The launcher (bin/bench.mjs) builds the projects and brings up Kafka, Redis and PostgreSQL
 * first; run(argv) is what it calls.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@herald/testing';
import { AbortedError, type BenchContext } from './context';
import { machineInfo } from './machine';
import { formatMix } from './mix';
import { USAGE, parseOptions, shouldUpdateReadme, type BenchOptions } from './options';
import { summarizeFolder } from './profile-cli';
import { Progress } from './progress';
import { buildPlot, renderTables, replaceBetweenMarkers } from './report';
import type { BenchResults, StageName, StageResult } from './results';
import { Scope } from './scope';
import { runBridge } from './stages/bridge';
import { runE2e } from './stages/e2e';
import { runIngest } from './stages/ingest';
import { runWebhook } from './stages/webhook';
import { runWorker } from './stages/workers';
import { checkTargets } from './verdicts';

export const RESULTS_DIR = join(repoRoot, 'tools', 'bench', 'results');

function commandLine(options: BenchOptions, argv: readonly string[]): string {
  return argv.length ? `npm run bench -- ${argv.join(' ')}` : options.quick ? 'npm run bench -- --quick' : 'npm run bench';
}

/** Writes the outputs; returns the paths written. */
export function writeOutputs(results: BenchResults, options: BenchOptions, dir = RESULTS_DIR): string[] {
  mkdirSync(join(dir, 'history'), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const tables = renderTables(results);
  const written = [join(dir, 'latest.json'), join(dir, 'latest.md'), join(dir, 'latest.svg')];
  writeFileSync(written[0] as string, json);
  writeFileSync(written[1] as string, `${tables}\n`);
  writeFileSync(written[2] as string, buildPlot(results));
  const stamp = results.started_at.replace(/[:.]/g, '-');
  writeFileSync(join(dir, 'history', `${stamp}${results.quick ? '-quick' : ''}.json`), json);
  if (shouldUpdateReadme(options)) {
    for (const readme of [join(repoRoot, 'README.md'), join(repoRoot, 'tools', 'bench', 'README.md')]) {
      if (!existsSync(readme)) continue;
      const updated = replaceBetweenMarkers(
        readFileSync(readme, 'utf8'),
        `${tables}\n\nEach run also plots end-to-end latency and throughput over time, and each stage against its baseline, in tools/bench/results/latest.svg (not kept in git). Method: tools/bench/README.md.`,
      );
      if (updated !== null) {
        writeFileSync(readme, updated);
        written.push(readme);
      }
    }
  }
  return written;
}

export async function run(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv, availableParallelism());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const progress = new Progress();
  let aborted = false;
  const ctx: BenchContext = { options, progress, root: new Scope('bench'), resultsDir: RESULTS_DIR, problems: [], aborted: () => aborted };
  const onSignal = (signal: NodeJS.Signals) => {
    if (aborted) {
      progress.log(`${signal} again: exiting without cleaning up`);
      process.exit(130);
    }
    aborted = true;
    progress.log(`${signal}: stopping what the bench started (press Ctrl-C again to exit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const profiles = join(RESULTS_DIR, 'profiles');
  if (options.profile) rmSync(profiles, { recursive: true, force: true });
  const machine = await machineInfo();
  progress.log(`Herald bench${options.quick ? ' (quick)' : ''}: stages ${options.stages.join(', ')}; mix ${formatMix(options.mix)}; ${options.durationS} s per stage after ${options.warmupS} s warm-up; e2e rates ${options.rates.join(', ')} msg/s for ${options.e2eDurationS} s each`);
  progress.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB; Node ${machine.node}, Kafka ${machine.kafka}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`);

  const results: BenchResults = {
    version: 1,
    started_at: startedAt.toISOString(),
    finished_at: '',
    quick: options.quick,
    command: commandLine(options, argv),
    options: {
      stages: options.stages,
      duration_s: options.durationS,
      warmup_s: options.warmupS,
      e2e_duration_s: options.e2eDurationS,
      rates: options.rates,
      search: options.search,
      max_rate: options.maxRate,
      connections: options.connections,
      web_concurrency: options.webConcurrency,
      partitions: options.partitions,
      drain_s: options.drainS,
      log_level: options.logLevel,
      profile: options.profile,
    },
    machine,
    mix: formatMix(options.mix),
    stages: {},
    e2e: [],
    e2e_max_sustained_rate: null,
    targets: [],
    timeline: {},
    problems: ctx.problems,
  };

  const stageRunners: Record<StageName, () => Promise<StageResult>> = {
    ingest: () => runIngest(ctx),
    bridge: () => runBridge(ctx),
    email: () => runWorker(ctx, 'email'),
    sms: () => runWorker(ctx, 'sms'),
    webhook: () => runWebhook(ctx),
  };
  let failed = false;
  try {
    for (const stage of options.stages) {
      if (aborted) break;
      const t0 = Date.now();
      progress.log(`▶ ${stage}`);
      try {
        if (stage === 'e2e') {
          const e2e = await runE2e(ctx);
          results.e2e = e2e.results;
          results.timeline = e2e.timeline;
          results.e2e_max_sustained_rate = e2e.maxSustained;
        } else {
          const r = await stageRunners[stage]();
          results.stages[stage] = r;
          progress.log(
            `  ${stage}: Herald ${Math.round(r.value).toLocaleString('en-US')} ${r.unit}, bare ${Math.round(r.baseline).toLocaleString('en-US')} ${r.unit}, ratio ${r.ratio === null ? 'n/a' : `${Math.round(r.ratio * 100)}%`}${r.herald.exhausted ? ' (Herald used up its supply: first-to-last rate)' : ''}`,
          );
        }
      } catch (error) {
        if (error instanceof AbortedError || aborted) break;
        failed = true;
        const message = error instanceof Error ? error.message : String(error);
        ctx.problems.push(`${stage} failed: ${message.split('\n')[0]}`);
        progress.log(`  ${stage} FAILED: ${message}`);
      }
      progress.log(`  (${stage} took ${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  } finally {
    const failures = await ctx.root.close();
    ctx.problems.push(...failures);
    progress.clear();
  }
  if (aborted) ctx.problems.push('interrupted: results are partial');

  results.finished_at = new Date().toISOString();
  results.machine.load_average.end = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  // The highest sustained rate is judged only when it was searched for.
  results.targets = checkTargets(results.stages, results.e2e, options.search && options.stages.includes('e2e') ? results.e2e_max_sustained_rate : undefined);
  const written = writeOutputs(results, options);
  if (options.profile && existsSync(profiles)) {
    const summary = readdirSync(profiles)
      .sort()
      .map((folder) => summarizeFolder(join(profiles, folder)))
      .join('\n\n');
    writeFileSync(join(profiles, 'summary.txt'), `${summary}\n`);
    written.push(join(profiles, 'summary.txt'));
  }
  process.stdout.write(`\n${renderTables(results)}\n\n`);
  process.stdout.write(`Written: ${written.map((w) => w.replace(`${repoRoot}/`, '')).join(', ')}\n`);
  process.stdout.write(`Took ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s.\n`);
  return aborted ? 130 : failed ? 1 : 0;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
