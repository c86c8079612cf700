/**
 * The email baseline: a bare nodemailer pooled transport sending the same emails as the
 * email-worker (same from, content, Message-ID and headers) with the same pool size and the same
 * number of sends in flight, in a loop, until stopped.
 *
 *   node email-baseline.js --smtp-url smtp://127.0.0.1:2525 --pool 5 --concurrency 20 --health-port 9601
 */
import { createTransport } from 'nodemailer';
import { deliveryIdFor, emailMessageId, newMessageId } from '@herald/contracts';
import { requestFor } from '../mix';
import { argValue, runSendLoops } from './receipts';

const url = new URL(argValue('smtp-url'));
const transporter = createTransport({
  pool: true,
  host: url.hostname,
  port: Number(url.port || 25),
  secure: false,
  maxConnections: Number(argValue('pool', '5')),
  maxMessages: 1_000,
});
runSendLoops('email baseline', Number(argValue('concurrency', '20')), async (i) => {
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
}, () => transporter.close());
