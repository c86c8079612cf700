/**
 * An open-loop load generator: request i is due at start + i/rate whatever happened to the
 * requests before it (no coordinated omission), sent over keep-alive connections; each answer is
 * kept with the time it arrived and the message id it carries.
 */
import { Agent, request } from 'node:http';
import type { Channel } from '@herald/contracts';
import { BENCH_AUTHORIZATION } from './context';

export interface Offered {
  /** When the request was due (ms since the epoch). */
  intended: number;
  /** When its answer arrived (ms since the epoch). */
  answered: number;
  status: number;
  id: string | null;
  channels: readonly Channel[];
}

export interface OfferOptions {
  url: string;
  rate: number;
  seconds: number;
  bodies: ReadonlyArray<{ text: string; channels: readonly Channel[] }>;
  /** Requests in flight beyond which new ones are counted as failed instead of sent. */
  maxInFlight?: number;
  onProgress?: (sent: number, answered: number) => void;
  /** Called with each answer as it arrives. */
  onAnswer?: (answer: Offered) => void;
  aborted?: () => boolean;
}

export async function offerLoad(options: OfferOptions): Promise<Offered[]> {
  const target = new URL('/v1/North', options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const results: Offered[] = [];
  const pending = new Set<Promise<void>>();
  const maxInFlight = options.maxInFlight ?? 5_000;
  let answered = 0;

  const fire = (i: number, intended: number) => {
    const body = options.bodies[i % options.bodies.length] as { text: string; channels: readonly Channel[] };
    if (pending.size >= maxInFlight) {
      results.push({ intended, answered: Date.now(), status: 0, id: null, channels: body.channels });
      return;
    }
    const p = new Promise<void>((resolve) => {
      const done = (status: number, text: string) => {
        let id: string | null = null;
        if (status === 202) {
          try {
            id = (JSON.parse(text) as { id?: string }).id ?? null;
          } catch {
            id = null;
          }
        }
        const answer: Offered = { intended, answered: Date.now(), status, id, channels: body.channels };
        results.push(answer);
        options.onAnswer?.(answer);
        answered += 1;
        resolve();
      };
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body.text), authorization: BENCH_AUTHORIZATION } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', () => done(0, ''));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => done(0, ''));
      req.end(body.text);
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };

  const start = Date.now() + 20;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (options.aborted?.()) {
        next = total;
      } else {
        const due = Math.min(total, Math.floor(((Date.now() - start) * options.rate) / 1000) + 1);
        while (next < due) {
          fire(next, start + (next * 1000) / options.rate);
          next += 1;
        }
      }
      options.onProgress?.(next, answered);
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all([...pending]);
  agent.destroy();
  return results;
}
