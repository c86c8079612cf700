/**
 * A small HTTP listener that captures what a provider emulator sends to its callback URL (status
 * callbacks, delivery receipts) exactly as received, so a test can hand each one to a receipt
 * source: the raw body (signatures cover bytes), headers in lower case, the path with its query.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { waitFor } from '@herald/process';

export interface CapturedRequest {
  method: string;
  /** The full URL as the sender called it (http://127.0.0.1:<port>/path?query). */
  url: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  query: Record<string, string | undefined>;
}

export class ReceiptListener {
  /** The status to answer (a test may make the listener refuse, to see the sender retry). */
  status = 200;

  constructor(
    private readonly server: Server,
    readonly url: string,
    readonly requests: CapturedRequest[],
  ) {}

  /** Waits until at least `count` requests matched `filter`, and returns those. */
  async received(count: number, filter: (r: CapturedRequest) => boolean = () => true, timeoutMs = 10_000): Promise<CapturedRequest[]> {
    return waitFor(`${count} callback(s) at ${this.url}`, () => {
      const matching = this.requests.filter(filter);
      return matching.length >= count ? matching : undefined;
    }, { timeoutMs, intervalMs: 25 });
  }

  clear(): void {
    this.requests.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Listens on 127.0.0.1 (a free port) and answers every request with `status` (default 200). */
export async function startReceiptListener(): Promise<ReceiptListener> {
  const requests: CapturedRequest[] = [];
  let status = () => 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
      const query: Record<string, string | undefined> = {};
      for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
      requests.push({ method: request.method ?? 'GET', url: url.toString(), headers: headersOf(request), rawBody: Buffer.concat(chunks), query });
      response.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const listener = new ReceiptListener(server, `http://127.0.0.1:${port}`, requests);
  status = () => listener.status;
  return listener;
}
