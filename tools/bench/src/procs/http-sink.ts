/**
 * A counting HTTP SMS gateway: POST /messages with JSON { to, text, reference } answers
 * 200 { id }, keeping only the arrival time and the reference (the delivery id). The same sink
 * receives the sms-worker's and the bare fetch loop's requests. The sink API (receipts.ts) is
 * served on the same port.
 *
 *   node http-sink.js --port 9925
 */
import { createServer } from 'node:http';
import { Receipts, argValue, onStop } from './receipts';

const receipts = new Receipts();
let next = 0;

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/messages') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let reference: string | null = null;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reference?: unknown };
        reference = typeof body.reference === 'string' ? body.reference : null;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"not JSON"}');
        return;
      }
      receipts.record(reference);
      next += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sink-${next}` }));
    });
    return;
  }
  if (!receipts.serve(req, res)) {
    res.writeHead(404);
    res.end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('port')), '127.0.0.1');
onStop(() => new Promise<void>((resolve) => server.close(() => resolve())));
