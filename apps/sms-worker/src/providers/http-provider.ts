/**
 * The HTTP SMS provider: POST {SMS_PROVIDER_URL}/messages with JSON { to, text, from, reference }
 * and an Idempotency-Key per delivery and generation, so the gateway itself drops a repeated send
 * (which makes a resend after an unknown outcome safe). The local SMS sink speaks this protocol;
 * so can a thin adapter in front of a commercial gateway.
 *
 * Errors: 429 and 5xx (and 408) are transient, honouring Retry-After; other 4xx are permanent
 * (the gateway refused this message); 401 and 403 are transient (a credentials problem an
 * operator can fix without losing messages). A network error before the request was sent is
 * "not sent"; after, the outcome is unknown.
 */
import { deliveryJobId, type SmsJob } from '@herald/contracts';
import { ProviderError, type ProviderReceipt } from '@herald/delivery';
import { classifyNetworkError, retryAfterMs } from './network';
import type { SmsProvider } from './sms-provider';

export interface HttpSmsSettings {
  url: string;
  apiKey?: string;
  from?: string;
}

export function classifyHttpStatus(status: number, body: string, retryAfter: string | null): ProviderError {
  const message = `SMS gateway answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}`;
  const transient = status === 408 || status === 429 || status >= 500 || status === 401 || status === 403;
  const after = retryAfterMs(retryAfter);
  return new ProviderError(message, { code: `HTTP_${status}`, permanent: !transient, ...(after === undefined ? {} : { retryAfterMs: after }) });
}

export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  readonly idempotent = true;
  private readonly endpoint: URL;

  constructor(private readonly settings: HttpSmsSettings) {
    this.endpoint = new URL('messages', settings.url.endsWith('/') ? settings.url : `${settings.url}/`);
  }

  async send(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': deliveryJobId(job.deliveryId, job.generation),
          ...(this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {}),
        },
        body: JSON.stringify({ to: job.to, text: job.content.text, reference: job.deliveryId, ...(this.settings.from ? { from: this.settings.from } : {}) }),
      });
    } catch (error) {
      throw classifyNetworkError(error);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw classifyHttpStatus(response.status, text, response.headers.get('retry-after'));
    let id: string | null = null;
    try {
      const body = JSON.parse(text) as { id?: unknown };
      id = typeof body.id === 'string' ? body.id : null;
    } catch {
      id = null;
    }
    return { providerMessageId: id };
  }

  async close(): Promise<void> {
    // fetch keeps no state of ours to close.
  }
}
