/**
 * What became of a run: for every accepted message, whether each delivery reached a final status,
 * and how many times each one arrived at the sinks (emails counted by Message-ID, SMS by the
 * delivery reference). Figures are also appended to tmp/failure-report.jsonl for the record.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deliveryIdFor, emailMessageId, type Channel } from '@herald/contracts';
import { repoRoot } from './config';
import type { HeraldStack } from './stack';

export interface Audit {
  accepted: number;
  deliveries: number;
  final: number;
  sent: number;
  failed: number;
  /** Deliveries of accepted messages that are not final. */
  notFinal: number;
  /** Email deliveries not found at the SMTP sink / found more than once. */
  emailsMissing: number;
  emailsDuplicated: number;
  smsMissing: number;
  smsDuplicated: number;
  /** Repeated SMS sends that the gateway dropped by idempotency key. */
  smsRepeatsSuppressed: number;
  /** Accepted deliveries not final or missing at their sink (what the failure tables report). */
  lost: number;
  /** Extra copies at the sinks. */
  duplicated: number;
}

export async function audit(stack: HeraldStack, messageIds: string[], channels: readonly Channel[]): Promise<Audit> {
  const counts = await stack.statusCounts(messageIds);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const final = (counts['sent'] ?? 0) + (counts['delivered'] ?? 0) + (counts['failed'] ?? 0);
  const out: Audit = {
    accepted: messageIds.length,
    deliveries: total,
    final,
    sent: counts['sent'] ?? 0,
    failed: counts['failed'] ?? 0,
    notFinal: total - final,
    emailsMissing: 0,
    emailsDuplicated: 0,
    smsMissing: 0,
    smsDuplicated: 0,
    smsRepeatsSuppressed: 0,
    lost: 0,
    duplicated: 0,
  };
  if (channels.includes('email')) {
    const seen = new Map<string, number>();
    for (const email of await stack.maildev.client.emails()) {
      const id = email.headers['message-id'] ?? '';
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    for (const id of messageIds) {
      const n = seen.get(emailMessageId(deliveryIdFor(id, 'email'), 'herald.local')) ?? 0;
      if (n === 0) out.emailsMissing += 1;
      if (n > 1) out.emailsDuplicated += n - 1;
    }
  }
  if (channels.includes('sms')) {
    const seen = new Map<string, number>();
    for (const sms of await stack.sms.client.messages()) seen.set(sms.reference ?? '', (seen.get(sms.reference ?? '') ?? 0) + 1);
    for (const id of messageIds) {
      const n = seen.get(deliveryIdFor(id, 'sms')) ?? 0;
      if (n === 0) out.smsMissing += 1;
      if (n > 1) out.smsDuplicated += n - 1;
    }
    out.smsRepeatsSuppressed = (await stack.sms.client.stats()).duplicatesSuppressed;
  }
  out.lost = out.notFinal + out.emailsMissing + out.smsMissing;
  out.duplicated = out.emailsDuplicated + out.smsDuplicated;
  return out;
}

/** Appends one test's figures to tmp/failure-report.jsonl (one JSON object per line) and prints them. */
export function recordFigures(test: string, figures: Record<string, unknown>): void {
  const dir = join(repoRoot, 'tmp');
  mkdirSync(dir, { recursive: true });
  const line = { test, at: new Date().toISOString(), ...figures };
  appendFileSync(join(dir, 'failure-report.jsonl'), `${JSON.stringify(line)}\n`);
  process.stdout.write(`\n[figures] ${JSON.stringify(line)}\n`);
}
