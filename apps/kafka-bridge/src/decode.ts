/**
 * Turns Kafka records into contract-checked events, setting aside the ones that are not (poison).
 * Work per record is bounded: its shape is checked before the schema, and at most 20 field errors
 * are described.
 */
import { checkJsonShape, type FieldError, type Validator } from '@herald/contracts';
import type { ConsumedRecord } from '@herald/kafka';

export interface Decoded<T> {
  valid: Array<{ record: ConsumedRecord; event: T }>;
  poison: Array<{ record: ConsumedRecord; error: string }>;
}

export function decodeRecords<T>(records: readonly ConsumedRecord[], validator: Validator<T>): Decoded<T> {
  const out: Decoded<T> = { valid: [], poison: [] };
  for (const record of records) {
    let value: unknown;
    try {
      value = JSON.parse(record.value?.toString('utf8') ?? '');
    } catch (error) {
      out.poison.push({ record, error: `not JSON: ${(error as Error).message}` });
      continue;
    }
    // Bounded work for any record: an absurd shape is poison before the schema sees it.
    const shape = checkJsonShape(value);
    if (shape) {
      out.poison.push({ record, error: `invalid: ${shape}` });
      continue;
    }
    const errors: FieldError[] = validator.errors(value);
    if (errors.length) {
      out.poison.push({ record, error: `invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}` });
      continue;
    }
    out.valid.push({ record, event: value as T });
  }
  return out;
}
