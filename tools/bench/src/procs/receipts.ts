/**
 * What a counting sink keeps: the time each item arrived (ms) and, when it carries one, the
 * delivery id, served over a small HTTP API that the bench polls:
 *   GET /stats    -> { count, first, last }
 *   GET /receipts -> { ids: [...], times: [...] } (ids of items that carried one)
 *   POST /reset   -> forget everything
 *   GET /healthz  -> 200
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export class Receipts {
  private count = 0;
  private first = 0;
  private last = 0;
  private ids: string[] = [];
  private times: number[] = [];

  record(id: string | null): void {
    const now = Date.now();
    this.count += 1;
    if (this.count === 1) this.first = now;
    this.last = now;
    if (id) {
      this.ids.push(id);
      this.times.push(now);
    }
  }

  reset(): void {
    this.count = 0;
    this.first = 0;
    this.last = 0;
    this.ids = [];
    this.times = [];
  }

  /** Answers the sink API; returns false when the request is not one of its routes. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/stats') json(200, { count: this.count, first: this.first, last: this.last });
    else if (req.method === 'GET' && path === '/receipts') json(200, { ids: this.ids, times: this.times });
    else if (req.method === 'POST' && path === '/reset') {
      this.reset();
      json(200, { ok: true });
    } else if (req.method === 'GET' && path === '/healthz') json(200, { ok: true });
    else return false;
    return true;
  }
}

/** Reads --name value pairs from argv (children of the bench get their settings this way). */
export function argValue(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}

/** Exits cleanly on SIGTERM/SIGINT after `close` (at most `graceMs`). */
export function onStop(close: () => Promise<void> | void, graceMs = 10_000): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), graceMs).unref();
    Promise.resolve()
      .then(close)
      .catch((error: unknown) => process.stderr.write(`close failed: ${String(error)}\n`))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** The readiness the bench waits for: 200 on 127.0.0.1:--health-port. */
export function serveHealth(): Server {
  return createServer((_req, res) => {
    res.writeHead(200);
    res.end('ok');
  }).listen(Number(argValue('health-port')), '127.0.0.1');
}

/**
 * A baseline's send loop: `send(i)` in `concurrency` loops, item numbers shared, until stopped;
 * then `close`. A failed send ends the process (the bench reports it).
 */
export function runSendLoops(label: string, concurrency: number, send: (i: number) => Promise<void>, close: () => void = () => undefined): void {
  let running = true;
  let n = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const i = n;
      n += 1;
      await send(i);
    }
  }).map((loop) =>
    loop.catch((error: unknown) => {
      process.stderr.write(`${label} send failed: ${String(error)}\n`);
      process.exit(1);
    }),
  );
  const health = serveHealth();
  onStop(async () => {
    running = false;
    await Promise.allSettled(loops);
    close();
    health.close();
  });
}
