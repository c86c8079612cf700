/**
 * The SMS baseline: a bare fetch loop (Node's built-in HTTP client, the one the sms-worker uses)
 * POSTing the same requests as the sms-worker (same body, Idempotency-Key and headers) with the
 * same number of requests in flight, until stopped.
 *
 *   node sms-baseline.js --url http://127.0.0.1:9925 --concurrency 20 --health-port 9602
 */
import { createServer } from 'node:http';
import { deliveryIdFor, newMessageId } from '@herald/contracts';
import { requestFor } from '../mix';
import { argValue, onStop } from './receipts';

const endpoint = new URL('messages', `${argValue('url').replace(/\/$/, '')}/`);
const concurrency = Number(argValue('concurrency', '20'));
let running = true;
let n = 0;

async function loop(): Promise<void> {
  while (running) {
    const request = requestFor('sms', n);
    n += 1;
    const deliveryId = deliveryIdFor(newMessageId(), 'sms');
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${deliveryId}.0` },
      body: JSON.stringify({ to: request.to.phone, text: request.sms?.text, reference: deliveryId }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`gateway answered ${response.status}: ${text}`);
    JSON.parse(text);
  }
}

const loops = Array.from({ length: concurrency }, () =>
  loop().catch((error: unknown) => {
    process.stderr.write(`sms baseline send failed: ${String(error)}\n`);
    process.exit(1);
  }),
);
const health = createServer((_req, res) => {
  res.writeHead(200);
  res.end('ok');
}).listen(Number(argValue('health-port')), '127.0.0.1');
onStop(async () => {
  running = false;
  await Promise.allSettled(loops);
  health.close();
});
