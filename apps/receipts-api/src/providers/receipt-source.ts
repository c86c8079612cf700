/**
 * A receipt source: one provider's callbacks, verified by that provider's own signature scheme
 * and turned into Herald receipts. Each provider is one implementation in its own file
 * (twilio.ts, sendgrid.ts, ...), registered by its channel's registry (email.ts, sms.ts).
 *
 * The contract for implementations:
 * - verify before anything else; a request that fails verification is `refused` (401 or 403) and
 *   changes nothing; the reason is logged, never echoed to the caller;
 * - never reach a database: parse, map to ReceiptFields and return (the endpoint produces them to
 *   Kafka and answers; providers send receipts in bursts of thousands);
 * - `summary` is Herald's own safe sentence for the reason (no provider text, hosts or addresses);
 * - `receiptId` is stable for the same provider event, so a repeated callback is stored once.
 */
import type { Channel, ReceiptFields } from '@herald/contracts';

export interface ReceiptRequest {
  /** The path segment of /providers/{provider}/events. */
  provider: string;
  /**
   * The URL the provider called, as the provider sees it: RECEIPTS_PUBLIC_URL + the path and the
   * query string as received (what Twilio signs, and what Vonage and SNS callbacks were told).
   */
  url: string;
  method: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (signatures are computed over bytes). */
  rawBody: Buffer;
  /** The query string parameters (first value of each). */
  query: Readonly<Record<string, string | undefined>>;
}

export interface ReceiptResponse {
  status: number;
  contentType?: string;
  body?: string;
}

export type ReceiptOutcome =
  /** Verified: produce these receipts (possibly none), then answer `response` (default 200, empty). */
  | { kind: 'accepted'; receipts: ReceiptFields[]; response?: ReceiptResponse }
  /** Not verified, or not a callback we take: nothing changes. `reason` goes to the log only. */
  | { kind: 'refused'; status: 400 | 401 | 403 | 415; reason: string };

export interface ReceiptSource {
  /** The path segment: twilio, vonage, sns, sendgrid, mailgun, postmark, ses, http. */
  readonly provider: string;
  readonly channel: Channel;
  handle(request: ReceiptRequest, signal: AbortSignal): Promise<ReceiptOutcome>;
}
