/**
 * One validation setup for every public input: the HTTP API (Fastify compiles the route schemas
 * with these options) and the Kafka records and queue jobs that consumers check before acting.
 * Errors come out as FieldError[]: a JSON pointer to the field and a sentence a person can act on.
 */
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

/** The schema path of the nearest enclosing `anyOf` error, if any (`a/b/anyOf/0/x` -> `a/b/anyOf`). */
function enclosingAnyOf(schemaPath: string, anyOfPaths: ReadonlySet<string>): string | undefined {
  let at = schemaPath.lastIndexOf('/anyOf/');
  while (at >= 0) {
    const candidate = schemaPath.slice(0, at + '/anyOf'.length);
    if (anyOfPaths.has(candidate)) return candidate;
    at = schemaPath.lastIndexOf('/anyOf/', at - 1);
  }
  return undefined;
}

/** One error for an anyOf that failed, from the errors of its branches. */
function collapseAnyOf(anyOf: ErrorObject, inner: readonly ErrorObject[]): FieldError {
  const field = anyOf.instancePath || '/';
  if (inner.length > 0 && inner.every((e) => e.keyword === 'required')) {
    const names = inner.map((e) => String((e.params as Record<string, unknown>)['missingProperty']));
    return { field, message: `must have one of: ${[...new Set(names)].join(', ')}` };
  }
  if (inner.length > 0 && inner.every((e) => e.keyword === 'type' && e.instancePath === anyOf.instancePath)) {
    const types = inner.map((e) => String((e.params as Record<string, unknown>)['type']));
    return { field, message: `must be ${article([...new Set(types)].join(','))}` };
  }
  const specific = inner.find((e) => e.keyword !== 'type');
  return specific ? describe(specific) : { field, message: 'does not match any allowed form' };
}

/**
 * Ajv errors as FieldError[]: `if` wrappers dropped, each `anyOf` collapsed into one error
 * ("must have one of: text, html"), duplicates removed, at most `max` of them.
 *
 * Linear in the number of errors (each error finds its enclosing anyOf by its schema path, and an
 * anyOf's branches are grouped in one pass), so that a hostile body that makes Ajv report tens of
 * thousands of errors costs milliseconds, not the event loop.
 */
export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined, max: number = MAX_FIELD_ERRORS): FieldError[] {
  if (!errors?.length) return [];
  const anyOfKeys = new Set<string>();
  for (const e of errors) if (e.keyword === 'anyOf') anyOfKeys.add(`${e.instancePath}\u0000${e.schemaPath}`);
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath));
  // Branch errors of each anyOf, keyed by instance path and the anyOf's schema path.
  const branches = new Map<string, ErrorObject[]>();
  const branchOf = (e: ErrorObject): string | undefined => {
    if (e.keyword === 'anyOf' || anyOfPaths.size === 0) return undefined;
    const path = enclosingAnyOf(e.schemaPath, anyOfPaths);
    if (path === undefined) return undefined;
    // A branch error sits at the anyOf's instance or below it.
    for (let p = e.instancePath; ; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
      const key = `${p}\u0000${path}`;
      if (anyOfKeys.has(key)) return key;
      if (p === '') return undefined;
    }
  };
  const plain: ErrorObject[] = [];
  for (const e of errors) {
    const key = branchOf(e);
    if (key !== undefined) {
      const list = branches.get(key) ?? [];
      list.push(e);
      branches.set(key, list);
    } else {
      plain.push(e);
    }
  }
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (e: FieldError) => {
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const error of plain) {
    if (out.length >= max) break;
    if (error.keyword === 'anyOf') {
      push(collapseAnyOf(error, branches.get(`${error.instancePath}\u0000${error.schemaPath}`) ?? []));
      continue;
    }
    // `if` wrappers say nothing; a propertyNames failure is reported once, on the key, not again by
    // its inner rule against the object.
    if (error.keyword === 'if' || error.schemaPath.includes('/propertyNames/')) continue;
    push(describe(error));
  }
  return out;
}

export class ContractViolationError extends Error {
  constructor(
    readonly contract: string,
    readonly errors: FieldError[],
  ) {
    super(`${contract} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
    this.name = 'ContractViolationError';
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
