/** Small schema builders shared by the contract modules, so that each rule is written once. */
import { Type, type SchemaOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A string enum rendered as `{ type: 'string', enum: [...] }` (clearer in OpenAPI than anyOf). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** `T | null`, rendered as OpenAPI 3.1 would: a type union with null. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID.', examples: ['01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f'] });

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp (UTC).' });

/**
 * Text Herald can store and send: no NUL and no unpaired UTF-16 surrogate (PostgreSQL refuses
 * both, and neither is valid Unicode text).
 */
export const TEXT_PATTERN = '^[^\\u0000\\p{Cs}]*$';

/** One line of text: no CR, LF or other control character, so that it can never inject a header. */
export const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f\\p{Cs}]*$';

export function Text(options: SchemaOptions & { minLength?: number; maxLength: number }) {
  return Type.String({ pattern: TEXT_PATTERN, ...options });
}

export function SingleLine(maxLength: number, options: SchemaOptions = {}) {
  return Type.String({ minLength: 1, maxLength, pattern: SINGLE_LINE_PATTERN, ...options });
}

/** An email address (RFC 5321 limits), described as given. */
export function EmailAddressOf(description: string) {
  return Type.String({ format: 'email', maxLength: 254, description, examples: ['ada@example.com'] });
}

export const EmailAddress = EmailAddressOf('An email address (RFC 5321 limits).');

/** An https URL (what RFC 8058 one-click unsubscribe and webhook targets require). */
export function HttpsUrl(description: string) {
  return Type.String({ format: 'uri', pattern: '^https://[^\\s]+$', maxLength: 2_048, description, examples: ['https://example.com/unsubscribe?u=123'] });
}

/** E.164: a plus sign, a non-zero country code digit and at most 15 digits in all. */
/** Visible ASCII only (0x21 to 0x7e): no spaces, no control characters (header-safe tokens). */
export const VISIBLE_ASCII_PATTERN = '^[\\x21-\\x7e]+$';

export const E164_PATTERN = '^\\+[1-9][0-9]{6,14}$';

export const PhoneNumber = Type.String({
  pattern: E164_PATTERN,
  description: 'A phone number in E.164 form: + then country code and number, 7 to 15 digits.',
  examples: ['+447700900123'],
});

/** Each of these properties as `{}` (any value): "validated by the object's own schema". */
export function anyValue(fields: Readonly<Record<string, unknown>>): Record<string, Record<string, never>> {
  return Object.fromEntries(Object.keys(fields).map((name) => [name, {}]));
}

/**
 * One variant of an object, for the object's `oneOf`: it lists the same properties, each as `{}`
 * (the object's own schema validates them, once), and adds only what this variant requires or
 * forbids (a forbidden property is left out, and nothing else is allowed). Linters that check
 * examples see every property in every variant, and generators intersect the object's type with
 * the union of its variants (`Email & (WithText | HtmlOnly)`), which a `required`-only anyOf
 * would render as `unknown`.
 */
export function variant(title: string, description: string, fields: Readonly<Record<string, unknown>>, rules: { require: readonly string[]; forbid?: readonly string[] }) {
  const forbidden = new Set(rules.forbid ?? []);
  return {
    title,
    description,
    type: 'object' as const,
    required: [...rules.require],
    properties: anyValue(Object.fromEntries(Object.entries(fields).filter(([name]) => !forbidden.has(name)))),
    additionalProperties: false,
  };
}
