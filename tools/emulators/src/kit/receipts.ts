/**
 * Receipts (delivery callbacks) that an emulator sends for the messages it accepted, the way its
 * provider does: to the callback URL, signed by the provider module, retried while the receiver
 * does not answer 2xx. Tests shape them through the control API (POST /_emulator/receipts):
 * - `enabled` (default true), `delayMs` before each is sent;
 * - `duplicates`: send every receipt this many extra times;
 * - `reverse`: send a message's receipts in reverse order (out-of-order delivery);
 * - `beforeResponse`: send the receipts before the API call that sent the message is answered
 *   (and `answerDelayMs`: then wait this long before answering, so that the receipt is surely
 *   handled before the sender can record its send)
 *   (a fast provider: the receipt arrives before the sender has recorded the send);
 * - `outcomes`: recipient -> the receipts to send for it, overriding the provider's own test
 *   recipients (e.g. { "ada@example.com": ["delivered", "complained"] }).
 */

/** What happened to an emulated message, in provider-neutral words; the provider module renders it. */
export type EmulatedOutcome = 'delivered' | 'bounced' | 'soft_bounced' | 'complained' | 'undelivered' | 'failed' | 'opted_out' | 'deferred';

export interface ReceiptSettings {
  enabled: boolean;
  delayMs: number;
  duplicates: number;
  reverse: boolean;
  beforeResponse: boolean;
  answerDelayMs: number;
  outcomes: Record<string, EmulatedOutcome[]>;
}

export const DEFAULT_RECEIPT_SETTINGS: ReceiptSettings = { enabled: true, delayMs: 0, duplicates: 0, reverse: false, beforeResponse: false, answerDelayMs: 0, outcomes: {} };

/** One HTTP callback, ready to send (already signed). */
export interface RenderedReceipt {
  url: string;
  /** POST (default), or GET with the parameters in the URL (Vonage's GET webhooks): then no body. */
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
}

export interface ReceiptStats {
  sent: number;
  /** Calls answered with something other than 2xx (then retried). */
  refused: number;
  /** Calls that could not reach the receiver (then retried). */
  unreachable: number;
  /** Receipts given up on after every retry. */
  abandoned: number;
}

const RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000];

export class ReceiptDispatcher {
  settings: ReceiptSettings = { ...DEFAULT_RECEIPT_SETTINGS, outcomes: {} };
  readonly stats: ReceiptStats = { sent: 0, refused: 0, unreachable: 0, abandoned: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  /** Applies a partial update of the settings from the control API. */
  configure(update: Partial<ReceiptSettings>): ReceiptSettings {
    this.settings = { ...this.settings, ...update, outcomes: { ...this.settings.outcomes, ...(update.outcomes ?? {}) } };
    return this.settings;
  }

  reset(): void {
    this.settings = { ...DEFAULT_RECEIPT_SETTINGS, outcomes: {} };
    Object.assign(this.stats, { sent: 0, refused: 0, unreachable: 0, abandoned: 0 });
  }

  /** The outcomes to report for a recipient: the test's override, else the provider's default. */
  outcomesFor(recipient: string, providerDefault: EmulatedOutcome[]): EmulatedOutcome[] {
    return this.settings.outcomes[recipient] ?? providerDefault;
  }

  /**
   * Sends a message's receipts in the background (in order, or reversed, with duplicates).
   * Returns a promise that settles when the first attempt of each has been made, for callers that
   * send receipts before answering.
   */
  dispatch(receipts: readonly RenderedReceipt[]): Promise<void> {
    if (!this.settings.enabled || this.closed || receipts.length === 0) return Promise.resolve();
    const ordered = this.settings.reverse ? [...receipts].reverse() : [...receipts];
    const copies = ordered.flatMap((r) => Array.from({ length: 1 + this.settings.duplicates }, () => r));
    const { delayMs } = this.settings;
    const firstAttempts: Array<Promise<void>> = [];
    const run = (async () => {
      for (const receipt of copies) {
        if (delayMs > 0) await sleep(delayMs);
        let firstDone: () => void = () => undefined;
        firstAttempts.push(new Promise<void>((resolve) => (firstDone = resolve)));
        await this.deliver(receipt, firstDone);
      }
    })();
    this.track(run);
    return delayMs > 0 ? Promise.resolve() : Promise.all(firstAttempts).then(() => undefined);
  }

  private async deliver(receipt: RenderedReceipt, firstDone: () => void): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !this.closed; attempt += 1) {
      try {
        const method = receipt.method ?? 'POST';
        const response = await fetch(receipt.url, { method, headers: receipt.headers, ...(method === 'GET' ? {} : { body: receipt.body }), signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.stats.sent += 1;
          firstDone();
          return;
        }
        this.stats.refused += 1;
      } catch {
        this.stats.unreachable += 1;
      }
      firstDone();
      const wait = RETRY_DELAYS_MS[attempt];
      if (wait === undefined) break;
      await sleep(wait);
    }
    this.stats.abandoned += 1;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits for receipts in flight (bounded), then stops sending. */
  async close(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(2_000)]);
    this.closed = true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
