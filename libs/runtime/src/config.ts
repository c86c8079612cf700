/**
 * Configuration from environment variables, parsed once at start against a typed spec.
 * A process calls parseConfig(spec, process.env) in its config module and nowhere else; any bad
 * or missing variable stops it with a ConfigError that names every offending variable.
 */
import { HeraldError } from '@herald/errors';

export interface VarSpec<T> {
  readonly kind: string;
  readonly description: string;
  /** A value, or a function computed at parse time (e.g. the number of CPUs). */
  readonly default?: T | (() => T);
  /** Shown in docs instead of a computed default. */
  readonly defaultLabel?: string;
  /** Never echoed in errors, logs or docs. */
  readonly secret?: boolean;
  /** Converts the raw string, or throws an Error whose message completes "VAR ...". */
  parse(raw: string): T;
}

type Common<T> = {
  description: string;
  default?: T | (() => T);
  defaultLabel?: string;
  secret?: boolean;
};

export type ConfigSpec = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

export class ConfigError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_RUNTIME_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function make<T>(kind: string, opts: Common<T>, parse: (raw: string) => T): VarSpec<T> {
  return { kind, ...opts, parse };
}

function int(raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer from ${min} to ${max}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`must be an integer from ${min} to ${max}`);
  return n;
}

/** Builders for each kind of variable. */
export const v = {
  string: (opts: Common<string> & { minLength?: number; pattern?: RegExp; hint?: string }) =>
    make('string', opts, (raw) => {
      if (raw.length < (opts.minLength ?? 1)) throw new Error(`must be at least ${opts.minLength ?? 1} characters long`);
      if (opts.pattern && !opts.pattern.test(raw)) throw new Error(opts.hint ?? `must match ${String(opts.pattern)}`);
      return raw;
    }),
  int: (opts: Common<number> & { min?: number; max?: number }) =>
    make('integer', opts, (raw) => int(raw, opts.min ?? 0, opts.max ?? Number.MAX_SAFE_INTEGER)),
  port: (opts: Common<number>) => make('port', opts, (raw) => int(raw, 0, 65535)),
  bool: (opts: Common<boolean>) =>
    make('boolean', opts, (raw) => {
      const s = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new Error('must be true or false');
    }),
  oneOf: <const T extends readonly string[]>(values: T, opts: Common<T[number]>) =>
    make(`one of ${values.join(', ')}`, opts, (raw) => {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of: ${values.join(', ')}`);
      return raw as T[number];
    }),
  list: (opts: Common<string[]> & { item?: RegExp; hint?: string }) =>
    make('comma-separated list', opts, (raw) => {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw new Error('must list at least one value');
      const bad = opts.item ? items.filter((i) => !opts.item?.test(i)) : [];
      if (bad.length) throw new Error(`${opts.hint ?? 'has invalid items'}: ${opts.secret ? '***' : bad.join(', ')}`);
      return items;
    }),
  url: (opts: Common<string> & { protocols: readonly string[] }) =>
    make(`URL (${opts.protocols.join(', ')})`, opts, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error(`must be a URL (${opts.protocols.join(', ')})`);
      }
      if (!opts.protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new Error(`must be a URL with protocol ${opts.protocols.join(' or ')}`);
      }
      return raw;
    }),
};

/** Host:port pairs, e.g. Kafka brokers. */
export const HOST_PORT = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;

/**
 * Parses `source` (usually process.env) against `spec`. Empty strings count as unset, so that an
 * empty value templated by a chart falls back to the default instead of failing oddly.
 */
export function parseConfig<S extends ConfigSpec>(spec: S, source: Readonly<Record<string, string | undefined>>): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, varSpec] of Object.entries(spec)) {
    const raw = source[name];
    if (raw === undefined || raw === '') {
      if (varSpec.default === undefined) {
        problems.push(`${name} is required: ${varSpec.description}`);
      } else {
        out[name] = typeof varSpec.default === 'function' ? (varSpec.default as () => unknown)() : varSpec.default;
      }
      continue;
    }
    try {
      out[name] = varSpec.parse(raw);
    } catch (error) {
      const shown = varSpec.secret ? '***' : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
      problems.push(`${name} ${(error as Error).message} (got ${shown})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

export interface ConfigDocRow {
  name: string;
  kind: string;
  default: string;
  description: string;
}

/** Rows for the README's configuration reference (secrets show no default). */
export function describeConfig(spec: ConfigSpec): ConfigDocRow[] {
  return Object.entries(spec).map(([name, s]) => ({
    name,
    kind: s.kind,
    default:
      s.defaultLabel ??
      (s.default === undefined ? '(required)' : s.secret ? '(secret)' : typeof s.default === 'function' ? '(computed)' : Array.isArray(s.default) ? s.default.join(',') : String(s.default)),
    description: s.description,
  }));
}

/** A config object safe to log: secret values replaced. */
export function redactConfig<S extends ConfigSpec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, value]) => [k, spec[k]?.secret ? '[redacted]' : value]));
}

/**
 * For a main module: returns the parsed configuration, or prints the problems (naming each bad
 * variable) and exits with code 1.
 */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
