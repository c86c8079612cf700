/**
 * The SMS baseline: a bare fetch loop (Node's built-in HTTP client, the one the sms-worker uses)
 * POSTing the same requests as the sms-worker (same body, Idempotency-Key and headers) with the
 * same number of requests in flight, until stopped.
 *
 *   node sms-baseline.js --url http://127.0.0.1:9925 --concurrency 20 --health-port 9602
 */
import { deliveryIdFor, newMessageId } from '@herald/contracts';
import { requestFor } from '../mix';
import { argValue, runSendLoops } from './receipts';

const endpoint = new URL('messages', `${argValue('url').replace(/\/$/, '')}/`);
runSendLoops('sms baseline', Number(argValue('concurrency', '20')), async (i) => {
  const request = requestFor('sms', i);
  const deliveryId = deliveryIdFor(newMessageId(), 'sms');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `${deliveryId}.0` },
    body: JSON.stringify({ to: request.to.phone, text: request.sms?.text, reference: deliveryId }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`gateway answered ${response.status}: ${text}`);
  JSON.parse(text);
});
