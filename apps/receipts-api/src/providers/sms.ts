/** The SMS providers' receipt sources and the variables they read (RECEIPT_PROVIDERS selects). */
import { v, type ConfigOf } from '@herald/runtime';
import type { ReceiptSource } from './receipt-source';

export const smsReceiptConfigSpec = {
  _SMS_RECEIPTS_PLACEHOLDER: v.string({ description: 'Placeholder until the SMS receipt sources land.', default: '', minLength: 0 }),
};

/** Builds the enabled SMS receipt sources from the parsed configuration. */
export function smsReceiptSources(_enabled: ReadonlySet<string>, _config: ConfigOf<typeof smsReceiptConfigSpec>): ReceiptSource[] {
  return [];
}
