/** An in-memory ProviderStatePort for unit tests of the router and the delivery flow (one process's view of what Redis shares). */
import type { ProviderState, ProviderStatePort } from '../routing';

export class MemoryProviderState implements ProviderStatePort {
  readonly states = new Map<string, ProviderState>();
  readonly probes = new Map<string, number>();
  /** provider -> ms to wait for the next token (0: go). */
  readonly tokenWaits = new Map<string, number>();
  now: () => number = () => Date.now();

  private state(provider: string): ProviderState {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = { openUntil: 0, pausedUntil: 0 }));
    return s;
  }

  async read(provider: string): Promise<ProviderState> {
    return { ...this.state(provider) };
  }

  async open(provider: string, until: number): Promise<void> {
    this.state(provider).openUntil = until;
    this.probes.delete(provider);
  }

  async close(provider: string): Promise<void> {
    this.state(provider).openUntil = 0;
    this.probes.delete(provider);
  }

  async pause(provider: string, until: number): Promise<void> {
    this.state(provider).pausedUntil = until;
  }

  async tryProbe(provider: string, ttlMs: number): Promise<boolean> {
    const held = this.probes.get(provider);
    if (held !== undefined && held > this.now()) return false;
    this.probes.set(provider, this.now() + ttlMs);
    return true;
  }

  async takeToken(provider: string): Promise<number> {
    return this.tokenWaits.get(provider) ?? 0;
  }
}
