/**
 * The email baseline: a bare nodemailer pooled transport sending the same emails as the
 * email-worker (same from, content, Message-ID and headers) with the same pool size and the same
 * number of sends in flight, in a loop, until stopped.
 *
 *   node email-baseline.js --smtp-url smtp://127.0.0.1:2525 --pool 5 --concurrency 20 --health-port 9601
 */
import { createServer } from 'node:http';
import { createTransport } from 'nodemailer';
import { deliveryIdFor, emailMessageId, newMessageId } from '@herald/contracts';
import { requestFor } from '../mix';
import { argValue, onStop } from './receipts';

const url = new URL(argValue('smtp-url'));
const transporter = createTransport({
  pool: true,
  host: url.hostname,
  port: Number(url.port || 25),
  secure: false,
  maxConnections: Number(argValue('pool', '5')),
  maxMessages: 1_000,
});
const concurrency = Number(argValue('concurrency', '20'));
let running = true;
let n = 0;

async function loop(): Promise<void> {
  while (running) {
    const i = n;
    n += 1;
    const request = requestFor('email', i);
    const messageId = newMessageId();
    const deliveryId = deliveryIdFor(messageId, 'email');
    await transporter.sendMail({
      from: 'Herald <no-reply@herald.local>',
      to: request.to.email,
      subject: request.email?.subject,
      text: request.email?.text,
      html: request.email?.html,
      messageId: emailMessageId(deliveryId, 'herald.local'),
      headers: { 'X-Herald-Message-Id': messageId, 'X-Herald-Delivery-Id': deliveryId },
    });
  }
}

const loops = Array.from({ length: concurrency }, () =>
  loop().catch((error: unknown) => {
    process.stderr.write(`email baseline send failed: ${String(error)}\n`);
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
  transporter.close();
  health.close();
});
