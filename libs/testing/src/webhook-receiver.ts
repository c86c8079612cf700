/**
 * The local webhook receiver (tools/webhook-receiver) as a process of the test, and a client for
 * what it received and for its failure controls. Stopping it is a receiver that is down
 * (connections refused); its controls make it answer 500 or 410, or slowly.
 */
import { join } from 'node:path';
import { repoRoot } from './config';
import { freePort } from '@herald/process';
import { ManagedProcess } from './process';

export interface ReceivedWebhook {
  webhookId: string;
  type: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  timestamp: number;
  firstReceivedAt: string;
  calls: number;
  signatures: number;
}

export interface ReceiverReport {
  received: ReceivedWebhook[];
  calls: number;
  duplicates: number;
  rejected: number;
  failedOnPurpose: number;
  maxInFlight: number;
}

export class WebhookReceiverProcess {
  readonly process: ManagedProcess;

  private constructor(
    readonly port: number,
    logGroup: string,
    name: string,
  ) {
    this.process = new ManagedProcess({
      name,
      args: [join(repoRoot, 'tools/webhook-receiver/dist/main.js')],
      env: { RECEIVER_PORT: String(port), RECEIVER_HOST: '127.0.0.1' },
      readyUrl: `http://127.0.0.1:${port}/`,
      logGroup,
    });
  }

  static async start(logGroup: string, name = 'webhook-receiver'): Promise<WebhookReceiverProcess> {
    const receiver = new WebhookReceiverProcess(await freePort(), logGroup, name);
    await receiver.process.start();
    return receiver;
  }

  /** Where Herald should POST. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async report(): Promise<ReceiverReport> {
    const response = await fetch(`${this.baseUrl}/`);
    if (!response.ok) throw new Error(`receiver answered ${response.status}`);
    return (await response.json()) as ReceiverReport;
  }

  /**
   * { secrets: [...] }, { fail: { status, forMs?, count? } }, { slowMs }, { ok: true }. The secrets
   * are also kept as the process's RECEIVER_SECRETS, so a receiver stopped and started again knows
   * them from its first request, as a real one (whose secret is configuration) does; the faults
   * are not kept.
   */
  async control(settings: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.baseUrl}/_control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    if (!response.ok) throw new Error(`receiver control answered ${response.status}`);
    if (Array.isArray(settings['secrets'])) this.process.spec.env['RECEIVER_SECRETS'] = settings['secrets'].map(String).join(',');
  }
}
