/**
 * One validation setup for every public input: the HTTP API (Fastify compiles the route schemas
 * with these options) and the Kafka records and queue jobs that consumers check before acting.
 * Errors come out as FieldError[]: a JSON pointer to the field and a sentence a person can act on.
 */
import { HeraldError } from '@herald/errors';
import Ajv, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FieldError } from './http/problem';
import { LIMITS } from './http/north';
import { E164_PATTERN, SINGLE_LINE_PATTERN, TEXT_PATTERN, VISIBLE_ASCII_PATTERN } from './schema-kit';

/** Ajv options for Herald's schemas: no coercion, no silent stripping, every error reported. */
export const ajvOptions: Options = {
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  strict: true,
  strictRequired: false,
  strictTypes: false,
  allowUnionTypes: true,
};

/**
 * An Ajv with Herald's options. `coerceTypes` only for the parts of an HTTP request that arrive as
 * text (querystring, path parameters, headers: "?limit=10" is the integer 10); bodies are never
 * coerced.
 */
export function createAjv(options: { coerceTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv({ ...ajvOptions, ...(options.coerceTypes ? { coerceTypes: true } : {}) });
  addFormats(ajv);
  return ajv;
}

const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [E164_PATTERN]: 'must be a phone number in E.164 form, e.g. +447700900123',
  [SINGLE_LINE_PATTERN]: 'must be one line: no CR, LF or other control characters',
  [TEXT_PATTERN]: 'must be valid text: no NUL characters or unpaired surrogates',
  [VISIBLE_ASCII_PATTERN]: 'must contain only visible ASCII characters',
};

const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  email: 'must be a valid email address',
  uuid: 'must be a UUID',
  'date-time': 'must be an RFC 3339 timestamp',
};

function joinPointer(base: string, property: string): string {
  return `${base}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function describe(error: ErrorObject): FieldError {
  const field = error.instancePath || '/';
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: joinPointer(error.instancePath, String(p['missingProperty'])), message: 'is required' };
    case 'additionalProperties':
      return {
        field: joinPointer(error.instancePath, String(p['additionalProperty'])),
        message: 'is not an allowed field',
      };
    case 'propertyNames':
      return { field: joinPointer(error.instancePath, String(p['propertyName'])), message: `is not an allowed key (1 to ${LIMITS.metadataKeyLength} characters, one line)` };
    case 'pattern':
      return { field, message: PATTERN_MESSAGES[String(p['pattern'])] ?? `must match the pattern ${String(p['pattern'])}` };
    case 'format':
      return { field, message: FORMAT_MESSAGES[String(p['format'])] ?? `must be a valid ${String(p['format'])}` };
    case 'enum':
      return { field, message: `must be one of: ${(p['allowedValues'] as unknown[]).join(', ')}` };
    case 'const':
      return { field, message: `must be ${JSON.stringify(p['allowedValue'])}` };
    case 'type':
      return { field, message: `must be ${article(String(p['type']))}` };
    case 'maxLength':
      return { field, message: `must be at most ${String(p['limit'])} characters long` };
    case 'minLength':
      return { field, message: Number(p['limit']) === 1 ? 'must not be empty' : `must be at least ${String(p['limit'])} characters long` };
    case 'maxItems':
      return { field, message: `must have at most ${String(p['limit'])} items` };
    case 'minItems':
      return { field, message: `must have at least ${String(p['limit'])} item${Number(p['limit']) === 1 ? '' : 's'}` };
    case 'uniqueItems':
      return { field, message: 'must not repeat an item' };
    case 'maxProperties':
      return { field, message: `must have at most ${String(p['limit'])} keys` };
    case 'minProperties':
      return { field, message: 'must not be empty' };
    default:
      return { field, message: error.message ?? 'is invalid' };
  }
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'object' || t === 'array' || t === 'integer' ? `an ${t}` : `a ${t}`));
  return names.join(' or ');
}

/** At most this many field errors are reported for one value (the rest are counted, not listed). */
export const MAX_FIELD_ERRORS = 20;

const isComposite = (e: ErrorObject): boolean => e.keyword === 'anyOf' || e.keyword === 'oneOf';

/**
 * The nearest enclosing `anyOf`/`oneOf` of a schema path, with the branch the path is in
 * (`a/oneOf/2/x` -> `a/oneOf`, 2), among the composites that failed.
 */
function enclosingComposite(schemaPath: string, compositePaths: ReadonlySet<string>): { path: string; branch: number } | undefined {
  const at = /\/(?:anyOf|oneOf)\/(\d+)(?=\/|$)/g;
  let found: { path: string; branch: number } | undefined;
  for (let m = at.exec(schemaPath); m; m = at.exec(schemaPath)) {
    const candidate = schemaPath.slice(0, m.index + m[0].length - (m[1]?.length ?? 0) - 1);
    if (compositePaths.has(candidate)) found = { path: candidate, branch: Number(m[1]) };
  }
  return found;
}

const parentPointer = (pointer: string): string => pointer.slice(0, Math.max(0, pointer.lastIndexOf('/')));

/**
 * Ajv errors as FieldError[]: `if` wrappers dropped, each failed `anyOf`/`oneOf` reported
 * through the branch the value meant, duplicates removed, at most `max` of them.
 *
 * A branch the value did not mean is one that fails on the value's type, or on a `const` or
 * `enum` of one of its properties (a discriminator, like `channels` in the NorthRequest
 * variants). When every branch left misses the same property (the discriminator is absent), the
 * value is no variant yet and the object's own errors speak. Of the branches left, ones whose
 * errors are all missing properties of the same object are reported as "must have one of: text,
 * html", branches that differ only by type as "must be a string or a number", and otherwise the
 * branch with the fewest errors.
 *
 * Linear in the number of errors (each error finds its enclosing composite by its schema path,
 * and the branches are grouped in one pass), so that a hostile body that makes Ajv report tens of
 * thousands of errors costs milliseconds, not the event loop.
 */
export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined, max: number = MAX_FIELD_ERRORS): FieldError[] {
  if (!errors?.length) return [];
  const compositeKeys = new Set<string>();
  const compositePaths = new Set<string>();
  for (const e of errors) {
    if (!isComposite(e)) continue;
    compositeKeys.add(`${e.instancePath}\u0000${e.schemaPath}`);
    compositePaths.add(e.schemaPath);
  }
  // Errors of each composite's branches, keyed by the composite's instance and schema paths.
  const members = new Map<string, Map<number, ErrorObject[]>>();
  const memberOf = (e: ErrorObject): { key: string; branch: number } | undefined => {
    if (compositePaths.size === 0) return undefined;
    const found = enclosingComposite(e.schemaPath, compositePaths);
    if (found === undefined) return undefined;
    // A branch error sits at the composite's instance or below it.
    for (let p = e.instancePath; ; p = parentPointer(p)) {
      const key = `${p}\u0000${found.path}`;
      if (compositeKeys.has(key)) return { key, branch: found.branch };
      if (p === '') return undefined;
    }
  };
  const plain: ErrorObject[] = [];
  for (const e of errors) {
    const member = memberOf(e);
    if (member === undefined) {
      plain.push(e);
      continue;
    }
    const branches = members.get(member.key) ?? new Map<number, ErrorObject[]>();
    const list = branches.get(member.branch) ?? [];
    list.push(e);
    branches.set(member.branch, list);
    members.set(member.key, branches);
  }

  const out: FieldError[] = [];
  const seen = new Set<string>();
  const unmatched: FieldError[] = [];
  const push = (e: FieldError) => {
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key) || out.length >= max) return;
    seen.add(key);
    out.push(e);
  };
  const report = (error: ErrorObject): void => {
    if (isComposite(error)) return resolve(error);
    // `if` wrappers say nothing; a propertyNames failure is reported once, on the key, not again by
    // its inner rule against the object.
    if (error.keyword === 'if' || error.schemaPath.includes('/propertyNames/')) return;
    push(describe(error));
  };
  const resolve = (composite: ErrorObject): void => {
    const field = composite.instancePath || '/';
    const at = composite.instancePath;
    const branches = [...(members.get(`${at}\u0000${composite.schemaPath}`)?.values() ?? [])];
    if (branches.length === 0) {
      push({ field, message: composite.keyword === 'oneOf' ? 'matches more than one allowed form' : 'does not match any allowed form' });
      return;
    }
    const all = branches.flat();
    if (all.every((e) => e.keyword === 'type' && e.instancePath === at)) {
      const types = all.map((e) => String((e.params as Record<string, unknown>)['type']));
      push({ field, message: `must be ${article([...new Set(types)].join(','))}` });
      return;
    }
    const notMeant = (e: ErrorObject) => (e.keyword === 'type' && e.instancePath === at) || ((e.keyword === 'const' || e.keyword === 'enum') && parentPointer(e.instancePath) === at);
    const meant = branches.filter((b) => !b.some(notMeant));
    if (meant.length === 0) {
      // The value matches no variant: the object's own schema says why (an unknown channel),
      // and only if nothing else is reported does this, naming what the closest variant (the one
      // with fewest errors) wanted of a property (a version field: /v must be equal to 1).
      const closest = branches.reduce((x, y) => (y.length < x.length ? y : x));
      const wanted = closest.filter((e) => (e.keyword === 'const' || e.keyword === 'enum') && parentPointer(e.instancePath) === at);
      if (wanted.length > 0) for (const e of wanted) unmatched.push(describe(e));
      else unmatched.push({ field, message: 'does not match any allowed form' });
      return;
    }
    const missing = (b: readonly ErrorObject[]) => new Set(b.filter((e) => e.keyword === 'required' && e.instancePath === at).map((e) => String((e.params as Record<string, unknown>)['missingProperty'])));
    if (meant.length > 1) {
      // Every variant misses the same property (the discriminator itself): the value is not yet
      // any of them, and the object's own errors (channels is required) say so.
      const [first, ...rest] = meant.map(missing);
      if ([...(first ?? [])].some((name) => rest.every((m) => m.has(name)))) {
        unmatched.push({ field, message: 'does not match any allowed form' });
        return;
      }
    }
    if (meant.length > 1 && meant.every((b) => b.every((e) => e.keyword === 'required' && e.instancePath === at))) {
      const names = meant.flat().map((e) => String((e.params as Record<string, unknown>)['missingProperty']));
      push({ field, message: `must have one of: ${[...new Set(names)].join(', ')}` });
      return;
    }
    const best = meant.reduce((a, b) => (b.length < a.length ? b : a));
    for (const error of best) report(error);
  };

  for (const error of plain) {
    if (out.length >= max) break;
    report(error);
  }
  if (out.length === 0) for (const e of unmatched) push(e);
  return out;
}

export class ContractViolationError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_CONTRACTS_VIOLATION';
  constructor(
    readonly contract: string,
    readonly errors: FieldError[],
  ) {
    super(`${contract} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  }
}

export interface Validator<T> {
  /** True when `value` satisfies the contract (narrows its type). */
  check(value: unknown): value is T;
  /** The value typed, or a ContractViolationError naming every bad field. */
  parse(value: unknown): T;
  /** Validates `value` again and names every bad field (empty when it passes); call it only after a failed check. */
  errors(value: unknown): FieldError[];
}

const shared = createAjv();

/** A compiled validator for a contract schema. Compile once, at module load, and reuse. */
export function createValidator<S extends TSchema>(name: string, schema: S): Validator<Static<S>> {
  const validate: ValidateFunction = shared.compile(schema);
  return {
    check: (value: unknown): value is Static<S> => validate(value) === true,
    errors: (value: unknown) => (validate(value) ? [] : toFieldErrors(validate.errors)),
    parse: (value: unknown): Static<S> => {
      if (validate(value)) return value as Static<S>;
      throw new ContractViolationError(name, toFieldErrors(validate.errors));
    },
  };
}
