/**
 * The webhook baseline: a bare fetch loop that does what a webhook sender must at the least: the
 * same payload (a delivery event), signed with the same library (standardwebhooks) and the same
 * headers, POSTed with the same number of calls in flight, until stopped.
 *
 *   node webhook-baseline.js --url http://127.0.0.1:9926/hooks --concurrency 50 --health-port 9603
 */
import { deliveryIdFor, makeDeliveryEvent, newMessageId } from '@herald/contracts';
import { toDeliveryPayload, webhookIdFor } from '@herald/webhooks';
import { Webhook } from 'standardwebhooks';
import { argValue, runSendLoops } from './receipts';

const url = argValue('url');
const signer = new Webhook(argValue('secret'));
const endpointId = newMessageId();
runSendLoops('webhook baseline', Number(argValue('concurrency', '50')), async () => {
  const messageId = newMessageId();
  const event = makeDeliveryEvent({ messageId, deliveryId: deliveryIdFor(messageId, 'sms'), channel: 'sms', type: 'sent', generation: 0, attempt: 1, provider: 'http', providerMessageId: 'sink-1' });
  const body = JSON.stringify(toDeliveryPayload(event, { orderId: 'bench' }));
  const webhookId = webhookIdFor(event.eventId, endpointId);
  const now = new Date();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signer.sign(webhookId, now, body) },
    body,
  });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`receiver answered ${response.status}`);
});
