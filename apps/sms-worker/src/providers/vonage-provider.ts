/**
 * Vonage SMS API through its published HTTP API: POST {VONAGE_API_URL}/sms/json with api_key,
 * api_secret, from, to (E.164 without the +), text, type (unicode when the text leaves the GSM
 * alphabet), client-ref (the deliveryId: Vonage echoes it in every delivery receipt) and callback
 * (Herald's receipts URL with the ids as query parameters).
 *
 * Why not the SDK: @vonage/sms needs Node 22 since 1.23, and its last Node 20 release loads
 * node-fetch 3 (ECMAScript modules only) from CommonJS, which Jest on Node 20 cannot load; it adds
 * nothing here but the request itself. Its signature verifier is used by the receipts-api tests.
 *
 * The API answers 200 with a status per message part; Vonage documents each status code:
 * 1 throttled, 4 bad credentials, 5 internal error, 8/9 account barred or out of credit,
 * 10 too many binds, 11/14/15/23/32 account or sender configuration: transient (the operator's
 * to fix, or a pause); 2/3 missing or invalid parameters, 6 unroutable, 7 number barred, 12 too
 * long, 22 invalid network, 29 a destination not on a trial account's list, 33 number
 * deactivated: permanent. A long text is split into parts, each with its own message-id; the
 * first part's id is the providerMessageId (every part's receipt carries the client-ref).
 *
 * The SMS API has no idempotency key. With `reportsLookup`, an in-doubt send is looked up in the
 * Reports API (synchronous records by client-ref; a paid Vonage product); without it `lookup` is
 * absent and IN_DOUBT_POLICY decides.
 */
import type { SmsJob } from '@herald/contracts';
import { ProviderError, type ProviderReceipt } from '@herald/delivery';
import { callbackUrlFor, classifyNetworkError, untilAborted } from './network';
import type { SmsProvider } from './sms-provider';

export const VONAGE_API_URL = 'https://rest.nexmo.com';
export const VONAGE_REPORTS_URL = 'https://api.nexmo.com';

export interface VonageSmsSettings {
  apiKey: string;
  apiSecret: string;
  /** A virtual number or an alphanumeric sender id. */
  from: string;
  /** Where the SMS API is (default https://rest.nexmo.com). */
  apiUrl?: string;
  /** Herald's receipts URL for Vonage (…/providers/vonage/events); none: the account's default webhook. */
  callbackUrl?: string;
  /** Resolve in-doubt sends through the Reports API (a paid product: off by default). */
  reportsLookup?: boolean;
  /** Where the Reports API is (default https://api.nexmo.com). */
  reportsUrl?: string;
}

interface VonageMessagePart {
  status?: string;
  'message-id'?: string;
  'error-text'?: string;
}

/** Vonage SMS API status codes: retrying cannot help. */
const PERMANENT = new Set(['2', '3', '6', '7', '12', '22', '29', '33']);
/** Vonage SMS API status codes the Vonage docs name; every other non-zero one is transient. */
export const VONAGE_STATUS_TEXT: Readonly<Record<string, string>> = {
  '1': 'throttled', '2': 'missing parameters', '3': 'invalid parameters', '4': 'invalid credentials', '5': 'internal error',
  '6': 'invalid message', '7': 'number barred', '8': 'partner account barred', '9': 'partner quota violation',
  '10': 'too many existing binds', '11': 'account not enabled for HTTP', '12': 'message too long', '14': 'invalid signature',
  '15': 'invalid sender address', '22': 'invalid network code', '23': 'invalid callback URL', '29': 'non-whitelisted destination',
  '32': 'signature and API secret disallowed', '33': 'number de-activated',
};

/** The GSM 03.38 default alphabet and its extension table: text outside it must be sent as unicode. */
const GSM = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\f^{}\\[~\]|€]*$/u;

export function vonageMessageType(text: string): 'text' | 'unicode' {
  return GSM.test(text) ? 'text' : 'unicode';
}

/** Classifies one message part's non-zero status. */
export function classifyVonageStatus(status: string, errorText: string | undefined): ProviderError {
  const name = VONAGE_STATUS_TEXT[status] ?? 'unknown status';
  const message = `Vonage refused the message: status ${status} (${name})${errorText ? `: ${errorText.slice(0, 200)}` : ''}`;
  return new ProviderError(message, { code: `VONAGE_${status}`, permanent: PERMANENT.has(status) });
}

function classifyVonageHttp(status: number, body: string): ProviderError {
  const message = `Vonage answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  const transient = status >= 500 || status === 429 || status === 401 || status === 403 || status === 408;
  return new ProviderError(message, { code: `VONAGE_HTTP_${status}`, permanent: !transient, outcomeUnknown: status >= 500 });
}

export class VonageSmsProvider implements SmsProvider {
  readonly name = 'vonage';
  readonly idempotent = false;
  /** Present only with `reportsLookup` (the DeliveryProvider contract: absent when it cannot answer). */
  readonly lookup?: (job: SmsJob, signal: AbortSignal) => Promise<ProviderReceipt | null>;
  private readonly endpoint: URL;

  constructor(private readonly settings: VonageSmsSettings) {
    this.endpoint = new URL('/sms/json', settings.apiUrl ?? VONAGE_API_URL);
    if (settings.reportsLookup) this.lookup = (job, signal) => this.lookupInReports(job, signal);
  }

  private get basicAuth(): string {
    return `Basic ${Buffer.from(`${this.settings.apiKey}:${this.settings.apiSecret}`).toString('base64')}`;
  }

  async send(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt> {
    const { apiKey, apiSecret, from, callbackUrl } = this.settings;
    const body = {
      api_key: apiKey,
      api_secret: apiSecret,
      from,
      to: job.to.replace(/^\+/, ''),
      text: job.content.text,
      type: vonageMessageType(job.content.text),
      'client-ref': job.deliveryId,
      ...(callbackUrl ? { callback: callbackUrlFor(callbackUrl, job), 'status-report-req': 'true' } : {}),
    };
    let response: Response;
    try {
      response = await fetch(this.endpoint, { method: 'POST', signal, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    } catch (error) {
      throw classifyNetworkError(error);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw classifyVonageHttp(response.status, text);
    let parts: VonageMessagePart[];
    try {
      parts = (JSON.parse(text) as { messages?: VonageMessagePart[] }).messages ?? [];
    } catch {
      throw new ProviderError('Vonage answered 200 with a body that is not JSON', { code: 'VONAGE_BAD_RESPONSE', permanent: false, outcomeUnknown: true });
    }
    const accepted = parts.filter((p) => p.status === '0' && p['message-id']);
    // Some parts sent and some refused: the sent parts are out, so a resend would repeat them.
    if (accepted.length > 0) return { providerMessageId: accepted[0]?.['message-id'] ?? null };
    const failed = parts[0];
    if (!failed) throw new ProviderError('Vonage answered 200 with no message parts', { code: 'VONAGE_BAD_RESPONSE', permanent: false, outcomeUnknown: true });
    throw classifyVonageStatus(failed.status ?? '?', failed['error-text']);
  }

  /** Reports API, synchronous records: an outbound SMS with client_ref = the deliveryId since acceptance. */
  private async lookupInReports(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt | null> {
    const now = Date.now();
    const start = Date.parse(job.acceptedAt) - 60_000;
    // Synchronous queries cover 24 hours at most.
    if (now - start > 24 * 3_600_000) {
      throw new ProviderError('in-doubt send older than the Reports API window (24 h); cannot decide', { code: 'VONAGE_LOOKUP_UNDECIDED', permanent: false, outcomeUnknown: true });
    }
    let next: URL | null = new URL('/v2/reports/records', this.settings.reportsUrl ?? VONAGE_REPORTS_URL);
    const query = { account_id: this.settings.apiKey, product: 'SMS', direction: 'outbound', date_start: new Date(start).toISOString(), date_end: new Date(now + 60_000).toISOString(), client_ref: job.deliveryId, to: job.to.replace(/^\+/, '') };
    for (const [k, v] of Object.entries(query)) next.searchParams.set(k, v);
    for (let page = 0; next && page < 10; page += 1) {
      const url: URL = next;
      const body = await untilAborted(signal, async () => {
        let response: Response;
        try {
          response = await fetch(url, { signal, headers: { authorization: this.basicAuth, accept: 'application/json' } });
        } catch (error) {
          throw classifyNetworkError(error);
        }
        if (!response.ok) throw classifyVonageHttp(response.status, await response.text().catch(() => ''));
        return (await response.json()) as { records?: Array<{ message_id?: string; client_ref?: string }>; _links?: { next?: { href?: string } } };
      });
      const found = body.records?.find((r) => r.client_ref === job.deliveryId && r.message_id);
      if (found?.message_id) return { providerMessageId: found.message_id };
      next = body._links?.next?.href ? new URL(body._links.next.href, url) : null;
    }
    if (next) throw new ProviderError('Reports API lookup read 10 pages without an answer; cannot decide', { code: 'VONAGE_LOOKUP_UNDECIDED', permanent: false, outcomeUnknown: true });
    return null;
  }

  async close(): Promise<void> {
    // fetch keeps no state of ours to close.
  }
}
