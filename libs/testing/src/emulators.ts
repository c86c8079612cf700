/**
 * Provider emulators (tools/emulators) as real processes, and a client for their control API:
 * what they received, failures to inject, how their receipts behave. Built from
 * tools/emulators/dist (npm test builds every project first).
 */
import { join } from 'node:path';
import { repoRoot } from './config';
import { freePort } from './ports';
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

  async reset(): Promise<void> {
    await this.call('POST', '/_emulator/reset', {});
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
