/**
 * A webhook receiver for local runs and tests, written as a receiver should be: every call is
 * verified with the `standardwebhooks` library (the reference implementation) against the
 * secrets it knows (401 when no signature matches), deduplicated by webhook-id (a repeat is
 * answered 200 and counted, not processed again), and listed at GET / as JSON.
 *
 * It can be told to misbehave (POST /_control): answer a status (500, 410...) for a while or a
 * number of calls, or answer slowly; what a receiver does when it is down, gone or overloaded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  webhookId: string;
  type: string;
  /** The payload as verified. */
  payload: unknown;
  /** The webhook-timestamp header. */
  timestamp: number;
  firstReceivedAt: string;
  /** Calls that carried this webhook-id and were verified (1 when no repeat came). */
  calls: number;
  /** Signatures in the header (2 during a secret rotation). */
  signatures: number;
}

export interface ReceiverReport {
  received: ReceivedEvent[];
  /** Verified calls, repeats included. */
  calls: number;
  /** Verified calls whose webhook-id had already been processed. */
  duplicates: number;
  /** Calls refused: no valid signature. */
  rejected: number;
  /** Calls answered with an injected failure. */
  failedOnPurpose: number;
  /** The most calls that were in progress at once. */
  maxInFlight: number;
}

export interface FaultSettings {
  /** Answer this status instead of processing. */
  fail?: { status: number; forMs?: number; count?: number };
  /** Wait this long before answering. */
  slowMs?: number;
  /** Replace the secrets calls are verified against. */
  secrets?: string[];
  /** Back to normal: no failure, no delay. */
  ok?: boolean;
}

export interface ReceiverOptions {
  port?: number;
  host?: string;
  secrets?: string[];
}

export interface RunningReceiver {
  readonly url: string;
  readonly port: number;
  report(): ReceiverReport;
  control(settings: FaultSettings): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startReceiver(options: ReceiverOptions = {}): Promise<RunningReceiver> {
  let verifiers = (options.secrets ?? []).map((s) => new Webhook(s));
  const events = new Map<string, ReceivedEvent>();
  const counters = { calls: 0, duplicates: 0, rejected: 0, failedOnPurpose: 0, maxInFlight: 0 };
  let inFlight = 0;
  let fail: { status: number; until: number; remaining: number } | undefined;
  let slowMs = 0;

  const report = (): ReceiverReport => ({ received: [...events.values()], ...counters });
  const control = (settings: FaultSettings) => {
    if (settings.ok) {
      fail = undefined;
      slowMs = 0;
    }
    if (settings.fail) fail = { status: settings.fail.status, until: settings.fail.forMs ? Date.now() + settings.fail.forMs : Infinity, remaining: settings.fail.count ?? Infinity };
    if (settings.slowMs !== undefined) slowMs = settings.slowMs;
    if (settings.secrets) verifiers = settings.secrets.map((s) => new Webhook(s));
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const receive = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
    if (fail && (Date.now() >= fail.until || fail.remaining <= 0)) fail = undefined;
    if (fail) {
      fail.remaining -= 1;
      counters.failedOnPurpose += 1;
      return json(res, fail.status, { error: 'failing on purpose' });
    }
    const headers = { 'webhook-id': String(req.headers['webhook-id'] ?? ''), 'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''), 'webhook-signature': String(req.headers['webhook-signature'] ?? '') };
    let payload: unknown;
    let verified = false;
    for (const verifier of verifiers) {
      try {
        payload = verifier.verify(body, headers);
        verified = true;
        break;
      } catch {
        // try the next secret
      }
    }
    if (!verified) {
      counters.rejected += 1;
      return json(res, 401, { error: 'no valid signature' });
    }
    counters.calls += 1;
    const seen = events.get(headers['webhook-id']);
    if (seen) {
      seen.calls += 1;
      counters.duplicates += 1;
      return json(res, 200, { duplicate: true });
    }
    events.set(headers['webhook-id'], {
      webhookId: headers['webhook-id'],
      type: String((payload as { type?: unknown } | undefined)?.type ?? ''),
      payload,
      timestamp: Number(headers['webhook-timestamp']),
      firstReceivedAt: new Date().toISOString(),
      calls: 1,
      signatures: headers['webhook-signature'].split(' ').length,
    });
    return json(res, 200, { ok: true });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        json(res, 413, { error: 'too large' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/') return json(res, 200, report());
      if (req.method === 'DELETE' && path === '/') {
        events.clear();
        Object.assign(counters, { calls: 0, duplicates: 0, rejected: 0, failedOnPurpose: 0, maxInFlight: 0 });
        return json(res, 200, { cleared: true });
      }
      if (req.method === 'POST' && path === '/_control') {
        try {
          control(JSON.parse(body || '{}') as FaultSettings);
          return json(res, 200, { ok: true });
        } catch (error) {
          return json(res, 400, { error: (error as Error).message });
        }
      }
      if (req.method === 'POST') {
        inFlight += 1;
        counters.maxInFlight = Math.max(counters.maxInFlight, inFlight);
        receive(req, res, body)
          .catch((error: unknown) => json(res, 500, { error: String(error) }))
          .finally(() => (inFlight -= 1));
        return;
      }
      json(res, 404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/hooks`,
    port,
    report,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
