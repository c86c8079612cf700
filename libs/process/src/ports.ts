/** TCP ports and HTTP: a free port for a test to bind, whether one accepts connections, a short GET. */
import { connect, createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 (the OS picks it; released before the caller binds it). get-port
 * does the same for a random port, but is ESM-only, which Jest's CommonJS runtime cannot load.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port (within `timeoutMs`). */
export function isPortOpen({ port, host = '127.0.0.1', timeoutMs = 1_000 }: { port: number; host?: string; timeoutMs?: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** GET a URL with a short timeout: its status, body and content type, or null when nothing answers. */
export async function httpGet(url: string, timeoutMs = 2_000): Promise<{ status: number; body: string; contentType: string } | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  } catch {
    return null;
  }
}
