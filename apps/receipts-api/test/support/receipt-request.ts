/** Builds ReceiptRequests for the receipt sources' tests. */
import type { ReceiptRequest } from '../../src/providers/receipt-source';

export function receiptRequest(provider: string, body: string | Buffer, headers: Record<string, string> = {}): ReceiptRequest {
  return {
    provider,
    url: `https://receipts.example.com/providers/${provider}/events`,
    method: 'POST',
    headers: Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => [k.toLowerCase(), v])),
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    query: {},
  };
}

export const signal: AbortSignal = new AbortController().signal;
