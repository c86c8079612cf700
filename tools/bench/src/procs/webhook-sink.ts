/**
 * A counting webhook receiver: POST /hooks answers 204 at once, keeping only the arrival time and
 * the webhook-id header. The same sink receives the webhook-worker's calls and the bare fetch
 * loop's. (It does not verify signatures: the tests do that; here it would only cost both sides
 * the same.) The sink API (receipts.ts) is served on the same port.
 *
 *   node webhook-sink.js --port 9926
 */
import { createServer } from 'node:http';
import { Receipts, argValue, onStop } from './receipts';

const receipts = new Receipts();

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/hooks') {
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      receipts.record(typeof id === 'string' ? id : null);
      res.writeHead(204);
      res.end();
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
