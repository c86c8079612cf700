/**
 * What the email receipt sources share: Herald's reason codes and safe summaries for each kind of
 * provider report (never the provider's own text, which names hosts and addresses), Herald's ids
 * as the providers echo them, and helpers for stable receipt ids and the refusals.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isUuid, type ReceiptFields } from '@herald/contracts';
import type { ReceiptOutcome } from './receipt-source';

/** The metadata keys the email-worker sets (custom args, tags, user variables, metadata). */
export const HERALD_ID_KEYS = { messageId: 'herald_message_id', deliveryId: 'herald_delivery_id' } as const;

type Report = Pick<ReceiptFields, 'outcome' | 'permanent'> & { reasonCode?: string; summary?: string };

/** Herald's words for what providers report. */
export const EMAIL_REPORTS = {
  delivered: { outcome: 'delivered', permanent: false },
  hardBounce: { outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD', summary: "The recipient's mail server refused the address (hard bounce)." },
  softBounce: { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_SOFT', summary: "The recipient's mail server refused the message for now (soft bounce)." },
  undeterminedBounce: { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_UNDETERMINED', summary: 'The message bounced for a reason the provider could not determine.' },
  blocked: { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_BLOCKED', summary: "The recipient's mail provider blocked the message." },
  suppressed: { outcome: 'rejected', permanent: true, reasonCode: 'PROVIDER_SUPPRESSED', summary: "The provider did not send the message: the address is on the provider's suppression list." },
  rejected: { outcome: 'rejected', permanent: true, reasonCode: 'PROVIDER_REJECTED', summary: 'The provider refused to send the message.' },
  deferred: { outcome: 'deferred', permanent: false, reasonCode: 'DEFERRED', summary: 'Delivery is delayed; the provider is still trying.' },
  complaint: { outcome: 'complained', permanent: false, reasonCode: 'COMPLAINT', summary: 'The recipient marked the message as spam.' },
  unsubscribed: { outcome: 'opted_out', permanent: false, reasonCode: 'UNSUBSCRIBED', summary: 'The recipient unsubscribed.' },
} as const satisfies Record<string, Report>;

export type EmailReport = (typeof EMAIL_REPORTS)[keyof typeof EMAIL_REPORTS];

/** Herald's ids from a provider's metadata object, kept only when they are well-formed. */
export function heraldIds(metadata: unknown): Pick<ReceiptFields, 'messageId' | 'deliveryId'> {
  if (!metadata || typeof metadata !== 'object') return {};
  const bag = metadata as Record<string, unknown>;
  const pick = (key: string) => {
    const raw = bag[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return typeof value === 'string' && isUuid(value) ? value : undefined;
  };
  const messageId = pick(HERALD_ID_KEYS.messageId);
  const deliveryId = pick(HERALD_ID_KEYS.deliveryId);
  return { ...(messageId ? { messageId } : {}), ...(deliveryId ? { deliveryId } : {}) };
}

/** A receipt id from the parts that identify a provider event (when the provider gives no event id). */
export function digestId(provider: string, ...parts: ReadonlyArray<string | number | undefined>): string {
  return `${provider}:${createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 40)}`;
}

/** An ISO timestamp from seconds, milliseconds or a date string; now when absent or invalid. */
export function isoTime(value: unknown, unit: 'seconds' | 'date' = 'date'): string {
  const ms = typeof value === 'number' ? (unit === 'seconds' ? value * 1_000 : value) : typeof value === 'string' ? (unit === 'seconds' && /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1_000 : Date.parse(value)) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : new Date().toISOString();
}

/** Receipt fields for one report, bounded to the contract's lengths. */
export function receipt(fields: { receiptId: string; provider: string; providerMessageId: string; recipient?: string; at: string; ids: Pick<ReceiptFields, 'messageId' | 'deliveryId'> }, report: EmailReport): ReceiptFields {
  return {
    receiptId: fields.receiptId.slice(0, 200),
    provider: fields.provider,
    channel: 'email',
    providerMessageId: fields.providerMessageId.slice(0, 512),
    ...fields.ids,
    outcome: report.outcome,
    permanent: report.permanent,
    ...('reasonCode' in report ? { reasonCode: report.reasonCode, summary: report.summary } : {}),
    ...(fields.recipient ? { recipient: fields.recipient.slice(0, 320) } : {}),
    at: fields.at,
  };
}

export function refused(status: 400 | 401 | 403 | 415, reason: string): ReceiptOutcome {
  return { kind: 'refused', status, reason };
}

/** Compares two secrets in constant time (whatever their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The request body as JSON, or undefined. */
export function jsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
