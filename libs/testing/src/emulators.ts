/**
 * Provider emulators (tools/emulators) as real processes, and a client for their control API:
 * what they received, failures to inject, how their receipts behave. Built from
 * tools/emulators/dist (npm test builds every project first).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@herald/process';
import { repoRoot } from './config';
import { freePort } from '@herald/process';
import { ManagedProcess } from './process';

export interface EmulatedMessage {
  id: string;
  to: string;
  from: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  extra: Record<string, unknown>;
  receivedAt: string;
}

export interface EmulatorFault {
  to?: string;
  count?: number;
  status?: number;
  code?: string;
  delayMs?: number;
  drop?: 'before' | 'after';
  retryAfter?: number;
}

export type EmulatedOutcome = 'delivered' | 'bounced' | 'soft_bounced' | 'complained' | 'undelivered' | 'failed' | 'opted_out' | 'deferred';

export interface EmulatorReceiptSettings {
  enabled?: boolean;
  delayMs?: number;
  duplicates?: number;
  reverse?: boolean;
  beforeResponse?: boolean;
  answerDelayMs?: number;
  outcomes?: Record<string, EmulatedOutcome[]>;
}

export interface EmulatorStats {
  received: number;
  faultsInjected: number;
  faultsPending: number;
  receipts: { sent: number; refused: number; unreachable: number; abandoned: number };
}

export class EmulatorClient {
  constructor(readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.url), {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`emulator ${method} ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async messages(to?: string): Promise<EmulatedMessage[]> {
    return (await this.call<{ messages: EmulatedMessage[] }>('GET', `/_emulator/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`)).messages;
  }

  stats(): Promise<EmulatorStats> {
    return this.call('GET', '/_emulator/stats');
  }

  async fail(...faults: EmulatorFault[]): Promise<void> {
    await this.call('POST', '/_emulator/faults', { faults });
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_emulator/faults');
  }

  async receipts(settings: EmulatorReceiptSettings): Promise<void> {
    await this.call('POST', '/_emulator/receipts', settings);
  }

  /** The provider refuses connections for `ms`, then answers again (the emulator stays up: what it received is kept). */
  async outage(ms: number): Promise<void> {
    await this.call('POST', '/_emulator/outage', { ms });
  }

  async reset(): Promise<void> {
    await this.call('POST', '/_emulator/reset', {});
  }

  /** What a receiver needs to verify this emulator's callbacks (public key, signing key, certificate...). */
  credentials<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T & { provider: string }> {
    return this.call('GET', '/_emulator/credentials');
  }

  /** POST to a provider-specific control route (e.g. /_emulator/sns/subscribe). */
  control<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return this.call(method, path, method === 'POST' ? (body ?? {}) : undefined);
  }
}

/** One request an emulator's callback reached: as received, bytes included. */
export interface CaughtRequest {
  method: string;
  /** Path and query string as received. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/**
 * A small HTTP listener that stands where a receiver of provider callbacks would: it records every
 * request and answers `status` (200 by default; change it to make the emulator retry).
 */
export class ReceiptCatcher {
  /** What to answer (200 by default; another status makes the emulator retry). */
  status = 200;
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly requests: CaughtRequest[],
  ) {}

  static async start(): Promise<ReceiptCatcher> {
    const requests: CaughtRequest[] = [];
    const holder: { catcher?: ReceiptCatcher } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, rawBody: Buffer.concat(chunks) });
        response.writeHead(holder.catcher?.status ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    holder.catcher = new ReceiptCatcher(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
    return holder.catcher;
  }

  /** Waits until `count` requests matched (all requests without a predicate) and returns them. */
  async waitFor(count: number, matches: (request: CaughtRequest) => boolean = () => true, timeoutMs = 10_000): Promise<CaughtRequest[]> {
    return waitFor(
      `${count} callback(s) at ${this.url}`,
      () => {
        const found = this.requests.filter(matches);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, intervalMs: 25 },
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export interface RunningEmulator {
  provider: string;
  url: string;
  process: ManagedProcess;
  client: EmulatorClient;
}

export interface EmulatorProcessOptions {
  /** Names the log folder: tmp/test-logs/<logGroup>. */
  logGroup: string;
  callbackUrl?: string;
  /** Provider settings passed as --set key=value. */
  settings?: Record<string, string>;
}

/** Starts `herald-emulator <provider>` on a free port and waits until it answers. */
export async function startEmulator(provider: string, options: EmulatorProcessOptions): Promise<RunningEmulator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sets = Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const process = new ManagedProcess({
    name: `emulator-${provider}`,
    args: [join(repoRoot, 'tools/emulators/dist/main.js'), provider, '--port', String(port), ...(options.callbackUrl ? ['--callback-url', options.callbackUrl] : []), ...sets],
    env: {},
    readyUrl: `${url}/healthz`,
    logGroup: options.logGroup,
  });
  await process.start();
  return { provider, url, process, client: new EmulatorClient(url) };
}
