/**
 * Command-line options of `npm run bench`. Parsing is pure (argv in, options out) so that it is
 * unit-tested; --quick picks short durations that finish in under five minutes.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MIX, parseMix, type Mix } from './mix';
import type { StageName } from './results';

export type StageOption = StageName | 'e2e';
export const ALL_STAGES: readonly StageOption[] = ['ingest', 'bridge', 'email', 'sms', 'webhook', 'e2e'];

export interface BenchOptions {
  quick: boolean;
  stages: StageOption[];
  /** Seconds each stage is measured for (after its warm-up). */
  durationS: number;
  warmupS: number;
  /** Seconds each e2e rate is offered for. */
  e2eDurationS: number;
  rates: number[];
  /** Search for the highest sustained e2e rate after the fixed ones. */
  search: boolean;
  /** Upper bound for that search. */
  maxRate: number;
  mixText: string;
  mix: Mix;
  /** autocannon connections for the ingest stage. */
  connections: number;
  webConcurrency: number;
  partitions: number;
  /** Seconds allowed after an e2e run for the backlog to drain. */
  drainS: number;
  /** Write CPU profiles of the Herald services (node --cpu-prof) to results/profiles. */
  profile: boolean;
  /** Update the README tables (default: only after a full run of every stage). */
  readme: boolean | undefined;
  logLevel: string;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick                 short run (under 5 minutes): ${'~'}5 s per stage, e2e 10 s per rate
  --stages LIST           which stages, comma-separated: ingest,bridge,email,sms,webhook,e2e (default: all)
  --duration S            seconds each stage is measured (default 20; quick 5)
  --warmup S              seconds of warm-up before each measurement (default 3; quick 2)
  --e2e-duration S        seconds each end-to-end rate is offered (default 30; quick 10)
  --rates LIST            end-to-end offered rates in messages/s (default 200,500,1000)
  --no-search             do not search for the highest sustained rate after the fixed rates
  --max-rate N            upper bound of that search (default 4000)
  --mix SPEC              message mix, e.g. email=40,sms=40,both=20 (default ${DEFAULT_MIX})
  --connections N         autocannon connections for the ingest stage (default 64)
  --web-concurrency N     ingest-api (and bare baseline) worker processes (default: CPUs)
  --partitions N          partitions of north-updates and south-updates (default 6)
  --drain S               seconds allowed for the backlog to drain after each rate (default 30; quick 15)
  --log-level LEVEL       LOG_LEVEL of the Herald services (default info, as in production)
  --profile               write node --cpu-prof profiles of the Herald services to results/profiles
  --readme / --no-readme  update the README tables (default: only after a full run of every stage)
  -h, --help              this text
`;

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got "${raw}")`);
  return n;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  const n = positiveNumber(name, raw, fallback);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number (got "${raw}")`);
  return n;
}

export function parseOptions(argv: readonly string[], cpus = 2): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      stages: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'e2e-duration': { type: 'string' },
      rates: { type: 'string' },
      search: { type: 'boolean' },
      'no-search': { type: 'boolean' },
      'max-rate': { type: 'string' },
      mix: { type: 'string' },
      connections: { type: 'string' },
      'web-concurrency': { type: 'string' },
      partitions: { type: 'string' },
      drain: { type: 'string' },
      'log-level': { type: 'string' },
      profile: { type: 'boolean', default: false },
      readme: { type: 'boolean' },
      'no-readme': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick === true;
  const stages = values.stages
    ? values.stages.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
        if (!(ALL_STAGES as readonly string[]).includes(s)) throw new Error(`--stages: unknown stage "${s}" (known: ${ALL_STAGES.join(', ')})`);
        return s as StageOption;
      })
    : [...ALL_STAGES];
  if (stages.length === 0) throw new Error('--stages: name at least one stage');
  const rates = values.rates
    ? values.rates.split(',').map((r) => positiveInt('rates', r.trim(), 1))
    : [200, 500, 1000];
  const mixText = values.mix ?? DEFAULT_MIX;
  const logLevel = values['log-level'] ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new Error(`--log-level: unknown level "${logLevel}"`);
  return {
    quick,
    stages: ALL_STAGES.filter((s) => stages.includes(s)),
    durationS: positiveNumber('duration', values.duration, quick ? 5 : 20),
    warmupS: positiveNumber('warmup', values.warmup, quick ? 2 : 3),
    e2eDurationS: positiveNumber('e2e-duration', values['e2e-duration'], quick ? 10 : 30),
    rates: [...new Set(rates)].sort((a, b) => a - b),
    search: values['no-search'] === true ? false : (values.search ?? !quick),
    maxRate: positiveInt('max-rate', values['max-rate'], 4000),
    mixText,
    mix: parseMix(mixText),
    connections: positiveInt('connections', values.connections, 64),
    webConcurrency: positiveInt('web-concurrency', values['web-concurrency'], cpus),
    partitions: positiveInt('partitions', values.partitions, 6),
    drainS: positiveNumber('drain', values.drain, quick ? 15 : 30),
    profile: values.profile === true,
    readme: values['no-readme'] === true ? false : values.readme,
    logLevel,
    help: values.help === true,
  };
}

/** README tables are updated after a full run of every stage, or when asked. */
export function shouldUpdateReadme(options: BenchOptions): boolean {
  return options.readme ?? (!options.quick && options.stages.length === ALL_STAGES.length);
}
