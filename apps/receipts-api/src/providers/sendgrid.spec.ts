import { generateKeyPairSync, sign } from 'node:crypto';
import { SendGridReceiptSource } from './sendgrid';
import { receiptRequest, signal } from '../../test/support/receipt-request';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const verificationKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const now = 1_800_000_000_000;
const source = new SendGridReceiptSource({ publicKey: verificationKey, maxAgeSec: 600, now: () => now });
const ids = { herald_message_id: '0190a0e0-0000-7000-8000-000000000001', herald_delivery_id: '0190a0e0-0000-7000-8000-000000000002' };

function signed(events: unknown[], timestamp = String(now / 1000), key = privateKey) {
  const body = JSON.stringify(events);
  const signature = sign('sha256', Buffer.from(timestamp + body), key).toString('base64');
  return receiptRequest('sendgrid', body, { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp });
}

const event = (fields: Record<string, unknown>) => ({ email: 'ada@example.com', timestamp: now / 1000, sg_event_id: `ev-${String(fields['event'])}-${String(fields['type'] ?? '')}`, sg_message_id: 'abc123XYZ.recvd-1-0', ...ids, ...fields });

describe('SendGridReceiptSource', () => {
  it('turns signed events into receipts matched by custom args and X-Message-Id', async () => {
    const outcome = await source.handle(signed([event({ event: 'delivered' })]), signal);
    expect(outcome).toEqual({
      kind: 'accepted',
      receipts: [
        {
          receiptId: 'sendgrid:ev-delivered-',
          provider: 'sendgrid',
          channel: 'email',
          providerMessageId: 'abc123XYZ',
          messageId: ids.herald_message_id,
          deliveryId: ids.herald_delivery_id,
          outcome: 'delivered',
          permanent: false,
          recipient: 'ada@example.com',
          at: new Date(now).toISOString(),
        },
      ],
    });
  });

  it.each([
    [{ event: 'bounce', type: 'bounce' }, { outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD' }],
    [{ event: 'bounce', type: 'blocked' }, { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_SOFT' }],
    [{ event: 'dropped', reason: 'Bounced Address' }, { outcome: 'rejected', permanent: true, reasonCode: 'PROVIDER_SUPPRESSED' }],
    [{ event: 'dropped', reason: 'Spam Content' }, { outcome: 'rejected', permanent: true, reasonCode: 'PROVIDER_REJECTED' }],
    [{ event: 'deferred' }, { outcome: 'deferred', permanent: false, reasonCode: 'DEFERRED' }],
    [{ event: 'spamreport' }, { outcome: 'complained', reasonCode: 'COMPLAINT' }],
    [{ event: 'unsubscribe' }, { outcome: 'opted_out', reasonCode: 'UNSUBSCRIBED' }],
    [{ event: 'group_unsubscribe' }, { outcome: 'opted_out', reasonCode: 'UNSUBSCRIBED' }],
  ])('maps %j', async (fields, expected) => {
    const outcome = await source.handle(signed([event(fields)]), signal);
    expect(outcome.kind === 'accepted' && outcome.receipts).toEqual([expect.objectContaining(expected)]);
  });

  it('ignores events that are not receipts (processed, open, click) and keeps a safe summary, not the provider text', async () => {
    const outcome = await source.handle(signed([event({ event: 'processed' }), event({ event: 'open' }), event({ event: 'bounce', reason: '550 5.1.1 <ada@example.com> no such user at mx.example.com' })]), signal);
    expect(outcome.kind === 'accepted' && outcome.receipts.map((r) => r.summary)).toEqual(["The recipient's mail server refused the address (hard bounce)."]);
  });

  it('drops ids that are not Herald ids instead of passing them on', async () => {
    const outcome = await source.handle(signed([event({ event: 'delivered', herald_delivery_id: 'not-a-uuid' })]), signal);
    expect(outcome.kind === 'accepted' && outcome.receipts[0]?.deliveryId).toBeUndefined();
  });

  it('refuses a body changed after signing, a signature by another key, and an unsigned request', async () => {
    const request = signed([event({ event: 'delivered' })]);
    const tampered = { ...request, rawBody: Buffer.from(request.rawBody.toString().replace('delivered', 'bounce')) };
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(await source.handle(tampered, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle(signed([event({ event: 'delivered' })], String(now / 1000), other), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle(receiptRequest('sendgrid', '[]'), signal)).toMatchObject({ kind: 'refused', status: 401 });
    expect(await source.handle({ ...request, headers: { ...request.headers, 'x-twilio-email-event-webhook-signature': 'bm90IGRlcg==' } }, signal)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses a correctly signed request whose timestamp is older than the window', async () => {
    expect(await source.handle(signed([event({ event: 'delivered' })], String(now / 1000 - 601)), signal)).toMatchObject({ kind: 'refused', status: 403 });
  });
});
