/**
 * Twilio Programmable Messaging through the official `twilio` library: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json (To, Body, From or MessagingServiceSid,
 * StatusCallback), authenticated with the Account SID and Auth Token. The library's public
 * `httpClient` option takes a RequestClient; ours is Twilio's own with the origin rewritten, so
 * TWILIO_API_URL can point it at the local emulator (the library has no base-URL option of its own).
 *
 * Herald's ids travel in the StatusCallback URL (`?heraldDeliveryId=...&heraldMessageId=...`): Twilio signs
 * the full URL, so the receipts-api can trust them. The Message SID (SM...) is the
 * providerMessageId.
 *
 * Errors are classified from Twilio's documented error codes (the `code` of a RestException):
 * invalid or unreachable recipients, opted-out recipients (21610) and content errors are
 * permanent; rate limits (20429, 14107), queue overflow and the account's own configuration
 * (credentials 20003, a From number that is not ours) are transient, so an operator can fix them
 * without losing messages; other 4xx are permanent. Twilio documents that a message create answered with a 5xx may still
 * have been sent: 5xx is transient with an unknown outcome.
 *
 * Twilio has no idempotency key for Messages. An in-doubt send is resolved by `lookup`: the
 * Messages list filtered by To, searched for an outbound message with the same body (and sender)
 * created after the delivery was accepted.
 */
import { type SmsJob } from '@herald/contracts';
import { ProviderError, type ProviderReceipt } from '@herald/delivery';
import twilio from 'twilio';
import type { RequestOptions, RequestClientOptions } from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import { callbackUrlFor, classifyNetworkError, untilAborted } from './network';
import type { SmsProvider } from './sms-provider';

export const TWILIO_API_URL = 'https://api.twilio.com';

export interface TwilioSmsSettings {
  accountSid: string;
  authToken: string;
  /** A Twilio phone number or alphanumeric sender id; or use messagingServiceSid. */
  from?: string;
  /** A Messaging Service (MG...), which picks the sender from its pool. */
  messagingServiceSid?: string;
  /** Where Twilio's REST API is (default https://api.twilio.com). */
  apiUrl?: string;
  /** Herald's receipts URL for Twilio (…/providers/twilio/events); none: no status callbacks. */
  statusCallbackUrl?: string;
  /** The HTTP client's own timeout (the delivery's signal cuts the wait sooner). */
  timeoutMs?: number;
  /** Messages the lookup reads at most (newest first) before it gives up as undecided. */
  lookupLimit?: number;
}

/** Recipient and content errors: retrying the same message cannot help. */
const PERMANENT = new Set([
  21211, // Invalid 'To' phone number
  21214, // 'To' phone number cannot be reached
  21217, // Phone number does not appear to be valid
  21265, // 'To' number cannot be a short code
  21266, // 'To' and 'From' cannot be the same
  21401, // Invalid phone number
  21407, // This phone number type does not support SMS
  21408, // Permission to send an SMS has not been enabled for the region of the 'To' number
  21602, // Message body is required
  21604, // 'To' phone number is required
  21608, // Trial account: the 'To' number is not verified
  21610, // Attempt to send to unsubscribed recipient (the recipient opted out)
  21612, // The 'To' phone number is not currently reachable via SMS
  21614, // 'To' number is not a valid mobile number
  21617, // The concatenated message body exceeds the 1600 character limit
  21635, // 'To' number cannot be a landline
]);

/** Twilio codes that mean the recipient opted out (STOP): the number should be suppressed. */
export const TWILIO_OPT_OUT_CODES: ReadonlySet<number> = new Set([21610]);

function isRestException(error: unknown): error is { status: number; code?: number; message: string; moreInfo?: string } {
  return error instanceof twilio.RestException || (typeof (error as { status?: unknown })?.status === 'number' && error instanceof Error);
}

/** Errors about the sender and the account (our configuration), not the recipient or the message. */
const SENDER_CONFIG = new Set([
  14107, // SMS send rate limit exceeded
  20003, // Authentication error
  20005, // Account not active
  20429, // Too many requests
  21212, // Invalid 'From' number
  21606, // The 'From' number is not a valid message-capable Twilio number
  21611, // The 'From' number has exceeded its queue of unsent messages
  21659, // The 'From' number is not a Twilio number
  21703, // The Messaging Service has no phone numbers in its pool
  21704, // The Messaging Service contains no phone numbers
  30001, // Queue overflow
]);

/** Classifies what the Twilio library threw. */
export function classifyTwilioError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!isRestException(error)) return classifyNetworkError(error);
  const { status } = error;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const herald = code === undefined ? `TWILIO_HTTP_${status}` : `TWILIO_${code}`;
  const message = `Twilio answered ${status}${code === undefined ? '' : ` (error ${code})`}: ${String(error.message).slice(0, 300)}`;
  if (code !== undefined && PERMANENT.has(code)) return new ProviderError(message, { code: herald, permanent: true, ...(TWILIO_OPT_OUT_CODES.has(code) ? { suppress: 'opt_out' as const } : {}), cause: error });
  if (status >= 500) return new ProviderError(message, { code: herald, permanent: false, outcomeUnknown: true, cause: error });
  const transient = [401, 403, 404, 408, 429].includes(status) || (code !== undefined && SENDER_CONFIG.has(code));
  return new ProviderError(message, { code: herald, permanent: !transient, cause: error });
}

/** Twilio's own RequestClient, sending to another origin (the emulator, a regional proxy). */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL,
    options: RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<Response<TData>> {
    const target = new URL(opts.uri);
    const rebased = new URL(`${this.base.pathname.replace(/\/$/, '')}${target.pathname}${target.search}`, this.base);
    return super.request({ ...opts, uri: rebased.toString() });
  }
}

export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  readonly idempotent = false;
  private readonly client: twilio.Twilio;
  private readonly messages: twilio.Twilio['messages'];

  constructor(private readonly settings: TwilioSmsSettings) {
    if (!settings.from && !settings.messagingServiceSid) throw new Error('Twilio needs a From number or a Messaging Service SID');
    const httpClient = new RebasedRequestClient(new URL(settings.apiUrl ?? TWILIO_API_URL), { timeout: settings.timeoutMs ?? 30_000, keepAlive: true, autoRetry: false });
    this.client = twilio(settings.accountSid, settings.authToken, { httpClient, autoRetry: false, lazyLoading: true });
    // Loads the Messages API now rather than on the first send (the library loads it lazily).
    this.messages = this.client.messages;
  }

  async send(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt> {
    const { from, messagingServiceSid, statusCallbackUrl } = this.settings;
    try {
      const message = await untilAborted(signal, () =>
        this.messages.create({
          to: job.to,
          body: job.content.text,
          ...(messagingServiceSid ? { messagingServiceSid } : { from: from as string }),
          ...(statusCallbackUrl ? { statusCallback: callbackUrlFor(statusCallbackUrl, job) } : {}),
        }),
      );
      return { providerMessageId: message.sid };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }

  /**
   * Finds an in-doubt send: an outbound message to the same number with the same body (from our
   * sender) created since the delivery was accepted. Null when none is there; throws when the
   * newest `lookupLimit` messages to that number all postdate the acceptance (cannot decide).
   */
  async lookup(job: SmsJob, signal: AbortSignal): Promise<ProviderReceipt | null> {
    const limit = this.settings.lookupLimit ?? 200;
    const since = Date.parse(job.acceptedAt) - 60_000; // clock skew between Herald and Twilio
    let messages: MessageInstance[];
    try {
      messages = await untilAborted(signal, () => this.messages.list({ to: job.to, pageSize: Math.min(limit, 1000), limit }));
    } catch (error) {
      throw classifyTwilioError(error);
    }
    const ours = (m: MessageInstance) =>
      m.direction !== 'inbound' &&
      m.body === job.content.text &&
      m.dateCreated.getTime() >= since &&
      (this.settings.messagingServiceSid ? m.messagingServiceSid === this.settings.messagingServiceSid : m.from === this.settings.from);
    const found = messages.find(ours);
    if (found) return { providerMessageId: found.sid };
    if (messages.length >= limit && messages.every((m) => m.dateCreated.getTime() >= since)) {
      throw new ProviderError(`Twilio lookup read ${limit} messages to this number since acceptance without finding the delivery; cannot decide`, { code: 'TWILIO_LOOKUP_UNDECIDED', permanent: false, outcomeUnknown: true });
    }
    return null;
  }

  async close(): Promise<void> {
    // The library keeps an HTTP agent with keep-alive sockets; they close with the process.
  }
}
