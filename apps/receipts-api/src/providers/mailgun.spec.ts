import { createHmac, randomBytes } from 'node:crypto';
import { MailgunReceiptSource } from './mailgun';
import { receiptRequest, signal } from '../../test/support/receipt-request';

const key = 'key-webhook-signing-test';
const now = 1_800_000_000_000;
const ids = { herald_message_id: '0190a0e0-0000-7000-8000-000000000001', herald_delivery_id: '0190a0e0-0000-7000-8000-000000000002' };

function webhook(eventData: Record<string, unknown>, options: { timestamp?: string; token?: string; signingKey?: string } = {}) {
  const timestamp = options.timestamp ?? String(now / 1000);
  const token = options.token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', options.signingKey ?? key).update(timestamp + token).digest('hex');
  const body = { signature: { timestamp, token, signature }, 'event-data': { id: `ev-${randomBytes(4).toString('hex')}`, timestamp: now / 1000, recipient: 'ada@example.com', message: { headers: { 'message-id': 'd-1@herald.test' } }, 'user-variables': ids, ...eventData } };
  return receiptRequest('mailgun', JSON.stringify(body));
}

describe('MailgunReceiptSource', () => {
  const fresh = () => new MailgunReceiptSource({ signingKey: key, maxAgeSec: 900, now: () => now });

  it('turns a signed webhook into a receipt matched by user variables and the Message-Id', async () => {
    const outcome = await fresh().handle(webhook({ event: 'delivered' }), signal);
    expect(outcome.kind === 'accepted' && outcome.receipts).toEqual([
      expect.objectContaining({ provider: 'mailgun', providerMessageId: '<d-1@herald.test>', deliveryId: ids.herald_delivery_id, messageId: ids.herald_message_id, outcome: 'delivered', recipient: 'ada@example.com', at: new Date(now).toISOString() }),
    ]);
  });

  it.each([
    [{ event: 'failed', severity: 'permanent', reason: 'bounce' }, { outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD' }],
    [{ event: 'failed', severity: 'permanent', reason: 'suppress-bounce' }, { outcome: 'rejected', permanent: true, reasonCode: 'PROVIDER_SUPPRESSED' }],
    [{ event: 'failed', severity: 'temporary', reason: 'generic' }, { outcome: 'deferred', permanent: false, reasonCode: 'DEFERRED' }],
    [{ event: 'complained' }, { outcome: 'complained', reasonCode: 'COMPLAINT' }],
    [{ event: 'unsubscribed' }, { outcome: 'opted_out', reasonCode: 'UNSUBSCRIBED' }],
  ])('maps %j', async (fields, expected) => {
    const outcome = await fresh().handle(webhook(fields), signal);
    expect(outcome.kind === 'accepted' && outcome.receipts).toEqual([expect.objectContaining(expected)]);
  });

  it('takes opened and accepted events as verified but produces nothing', async () => {
    expect(await fresh().handle(webhook({ event: 'opened' }), signal)).toEqual({ kind: 'accepted', receipts: [] });
  });

  it('refuses a signature made with another key and a stale timestamp', async () => {
    const source = fresh();
    expect(await source.handle(webhook({ event: 'delivered' }, { signingKey: 'other' }), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle(webhook({ event: 'delivered' }, { timestamp: String(now / 1000 - 901) }), signal)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('takes the same webhook again within the window as the same receipt (a retry is stored once downstream)', async () => {
    const source = fresh();
    const once = webhook({ event: 'delivered', id: 'ev-retried' }, { token: 'a'.repeat(50) });
    const first = await source.handle(once, signal);
    const again = await source.handle(once, signal);
    expect(again).toEqual(first);
    expect(first.kind === 'accepted' && first.receipts[0]?.receiptId).toBe('mailgun:ev-retried');
  });

  it('refuses a captured token and signature reused with another body (the signature does not cover it)', async () => {
    const source = fresh();
    const genuine = webhook({ event: 'delivered' }, { token: 'b'.repeat(50) });
    expect(await source.handle(genuine, signal)).toMatchObject({ kind: 'accepted' });
    const forged = { ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('"delivered"', '"complained"')) };
    expect(await source.handle(forged, signal)).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses a body without a signature block, and one that is not JSON', async () => {
    expect(await fresh().handle(receiptRequest('mailgun', JSON.stringify({ 'event-data': {} })), signal)).toMatchObject({ kind: 'refused', status: 401 });
    expect(await fresh().handle(receiptRequest('mailgun', 'token=x', { 'content-type': 'application/x-www-form-urlencoded' }), signal)).toMatchObject({ kind: 'refused', status: 415 });
  });
});
