/**
 * Endpoints as the worker sends to them: URL, state and a signer made from the opened secrets,
 * read from tracking and kept for WEBHOOK_ENDPOINT_CACHE_MS (a change, a rotation or a disabling
 * by another worker is seen within that time; this worker's own disabling at once). Concurrent
 * reads of one endpoint share one query. Opened secrets live only in the signer, in memory.
 */
import type { SigningEndpoint } from '@herald/tracking';
import { WebhookSigner, type SecretBox } from '@herald/webhooks';

export interface ResolvedEndpoint {
  id: string;
  client: string;
  url: string;
  enabled: boolean;
  signer: WebhookSigner;
  failingSince: Date | null;
}

export class EndpointCache {
  private readonly entries = new Map<string, { at: number; value: Promise<ResolvedEndpoint | null> }>();

  constructor(
    private readonly read: (id: string) => Promise<SigningEndpoint | null>,
    private readonly box: SecretBox,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string): Promise<ResolvedEndpoint | null> {
    const cached = this.entries.get(id);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = this.load(id);
    this.entries.set(id, { at: this.now(), value });
    value.catch(() => this.entries.delete(id));
    if (this.entries.size > 10_000) this.prune();
    return value;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }

  private async load(id: string): Promise<ResolvedEndpoint | null> {
    const row = await this.read(id);
    if (!row) return null;
    const secrets = row.sealedSecrets.map((sealed) => this.box.open(sealed, row.id));
    return { id: row.id, client: row.client, url: row.url, enabled: row.enabled, signer: new WebhookSigner(secrets), failingSince: row.failingSince };
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(id);
  }
}
