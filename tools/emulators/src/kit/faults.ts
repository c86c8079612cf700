/**
 * Failure injection shared by every emulator. A test queues faults through the control API
 * (POST /_emulator/faults); each API call that sends a message takes the first fault that matches
 * it, which then applies `count` times:
 * - `status` + `code`: answer with the provider's own error for that status and code (the
 *   provider module renders the body, e.g. Twilio's {code: 21211, ...} or SES' MessageRejected);
 * - `delayMs`: answer late (a slow provider, or one slower than the sender's timeout);
 * - `drop: 'before'`: close the connection without answering and without accepting (not sent);
 * - `drop: 'after'`: accept the message (it counts as received and gets its receipts), then close
 *   the connection without answering: the sender's outcome is unknown although it was sent;
 * - `retryAfter`: a Retry-After header (seconds) with the error.
 */
export interface Fault {
  /** Only calls to this recipient (address or number); absent: any call. */
  to?: string;
  /** How many calls it applies to (default 1; 0: until the faults are cleared). */
  count?: number;
  status?: number;
  /** The provider's error code, e.g. '21211' (Twilio), 'MessageRejected' (SES). */
  code?: string;
  delayMs?: number;
  drop?: 'before' | 'after';
  retryAfter?: number;
}

interface ActiveFault extends Fault {
  remaining: number | null;
}

export class FaultQueue {
  private faults: ActiveFault[] = [];
  injected = 0;

  add(faults: readonly Fault[]): void {
    for (const f of faults) this.faults.push({ ...f, remaining: f.count === 0 ? null : (f.count ?? 1) });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for a call to `to`, if any (and counts it). */
  take(to: string | undefined): Fault | undefined {
    const index = this.faults.findIndex((f) => f.to === undefined || f.to === to);
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.splice(index, 1);
    }
    this.injected += 1;
    return fault;
  }

  get pending(): readonly Fault[] {
    return this.faults;
  }
}
