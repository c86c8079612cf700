/**
 * Test recipients for emulators whose provider documents none of its own: the local part of the
 * address (before any +tag) names what the emulator reports for it, so a test or a newcomer can
 * provoke each receipt without the control API:
 *
 *   bounce@...       a hard bounce              softbounce@...   a soft bounce
 *   complaint@...    delivered, then a spam complaint
 *   reject@...       refused by the provider (dropped)
 *   deferred@...     deferred, then delivered   unsubscribe@...  delivered, then unsubscribed
 *   anything else    delivered
 *
 * e.g. bounce+42@example.com. POST /_emulator/receipts { outcomes } overrides any of them.
 */
import type { EmulatedOutcome } from './receipts';

const BY_LOCAL_PART: Readonly<Record<string, EmulatedOutcome[]>> = {
  bounce: ['bounced'],
  softbounce: ['soft_bounced'],
  complaint: ['delivered', 'complained'],
  reject: ['failed'],
  deferred: ['deferred', 'delivered'],
  unsubscribe: ['delivered', 'opted_out'],
};

export function conventionalOutcomes(to: string): EmulatedOutcome[] {
  const local = (to.split('@')[0] ?? '').split('+')[0]?.toLowerCase() ?? '';
  return BY_LOCAL_PART[local] ?? ['delivered'];
}

/** The recipient's address without a display name (`Ada <ada@example.com>` -> `ada@example.com`). */
export function bareAddress(value: string): string {
  const match = /<([^<>]+)>\s*$/.exec(value);
  return (match?.[1] ?? value).trim();
}
