/**
 * A small HTTP server for processes that serve no other HTTP (the bridge and the workers):
 * GET /healthz (liveness), GET /readyz (readiness, 503 when not ready), GET /metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isReady, publicReport, type Health } from './health';

export interface HealthServerOptions {
  host: string;
  port: number;
  health: Health;
  metrics?: Registry;
  logger: Logger;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { health, metrics, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { status: 405, title: 'Method Not Allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      health.readiness().then(
        (report) => send(isReady(report) ? 200 : 503, publicReport(report)),
        () => send(503, { status: 'not ready', checks: {} }),
      );
      return;
    }
    if (path === '/metrics' && metrics) {
      metrics.metrics().then(
        (text) => send(200, text, metrics.contentType),
        (error: unknown) => {
          logger.error({ err: error }, 'metrics collection failed');
          send(500, { status: 500, title: 'Internal Server Error' });
        },
      );
      return;
    }
    send(404, { status: 404, title: 'Not Found' });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'health server listening');
  let closed: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
