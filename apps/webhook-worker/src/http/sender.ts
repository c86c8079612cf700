/**
 * The HTTP side of a webhook call: one POST with undici, through an Agent whose sockets resolve
 * their host with connectLookup (every address checked against the target rules at connect time,
 * so a name rebound to a private address after registration is refused), an overall deadline
 * (connect, answer and body), no redirects followed (undici's request() follows none; a 3xx is a
 * failed call), and a bounded read of the answer: at most MAX_READ_BYTES are read, the first
 * KEPT_BYTES kept for the attempt record, the rest of the body discarded with the socket.
 *
 * Why not request-filtering-agent: it is an http.Agent for Node's http module, and undici (what
 * Node's fetch runs on) takes no http.Agent; undici's connect options take a `lookup`, which is
 * all this needs.
 */
import { Agent, request } from 'undici';
import { checkTargetUrl, connectLookup, type LookupAll, type CallResult, type TargetRules } from '@herald/webhooks';

/** The most of an answer that is read. */
export const MAX_READ_BYTES = 64 * 1024;
/** The start of an answer kept with the attempt. */
export const KEPT_BYTES = 1024;

export interface SenderSettings {
  rules: TargetRules;
  lookupAll: LookupAll;
  timeoutMs: number;
  userAgent: string;
}

export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly settings: SenderSettings) {
    this.agent = new Agent({
      connect: { lookup: connectLookup(settings.rules, settings.lookupAll), timeout: settings.timeoutMs },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<CallResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const verdict = checkTargetUrl(url, this.settings.rules);
    if (verdict.problems.length) return { kind: 'error', code: 'WEBHOOK_TARGET_REFUSED', message: `url ${verdict.problems.join('; ')}`, durationMs: 0 };
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        signal,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': this.settings.userAgent },
        body,
      });
      const kept = await readBounded(response.body);
      return { kind: 'answered', status: response.statusCode, retryAfter: headerValue(response.headers['retry-after']), body: kept, durationMs: elapsed() };
    } catch (error) {
      return { kind: 'error', ...describeError(error, this.settings.timeoutMs), durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Reads at most MAX_READ_BYTES of a body, keeps the first KEPT_BYTES as text, and lets go of the rest. */
async function readBounded(body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (keptBytes < KEPT_BYTES) {
      const part = chunk.subarray(0, KEPT_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (read >= MAX_READ_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(kept).toString('utf8').replace(/\uFFFD+$/, '').replaceAll('\u0000', '');
}

/** A failed call as a code and a sentence of Herald's own (the endpoint's text is not echoed here). */
function describeError(error: unknown, timeoutMs: number): { code: string; message: string } {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? 'NETWORK';
  if (code === 'WEBHOOK_TARGET_REFUSED') return { code, message: e?.message ?? 'target address refused' };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || /TIMEOUT/.test(code)) return { code: 'TIMEOUT', message: `no complete answer within ${timeoutMs} ms` };
  if (code === 'ECONNREFUSED') return { code, message: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return { code, message: 'the host does not resolve' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return { code, message: 'the connection was reset' };
  return { code: String(code).slice(0, 64), message: (e?.message ?? 'the call failed').slice(0, 300) };
}
