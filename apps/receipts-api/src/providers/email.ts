/** The email providers' receipt sources and the variables they read (RECEIPT_PROVIDERS selects). */
import { v, type ConfigOf } from '@herald/runtime';
import type { ReceiptSource } from './receipt-source';

export const emailReceiptConfigSpec = {
  _EMAIL_RECEIPTS_PLACEHOLDER: v.string({ description: 'Placeholder until the email receipt sources land.', default: '', minLength: 0 }),
};

/** Builds the enabled email receipt sources from the parsed configuration. */
export function emailReceiptSources(_enabled: ReadonlySet<string>, _config: ConfigOf<typeof emailReceiptConfigSpec>): ReceiptSource[] {
  return [];
}
