import { PostmarkReceiptSource } from './postmark';
import { receiptRequest, signal } from '../../test/support/receipt-request';

const source = new PostmarkReceiptSource({ username: 'herald', password: 's3cret' });
const auth = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
const metadata = { herald_message_id: '0190a0e0-0000-7000-8000-000000000001', herald_delivery_id: '0190a0e0-0000-7000-8000-000000000002' };
const post = (record: Record<string, unknown>, headers = auth('herald', 's3cret')) => source.handle(receiptRequest('postmark', JSON.stringify({ MessageID: 'pm-1', Metadata: metadata, ...record }), headers), signal);

describe('PostmarkReceiptSource', () => {
  it('turns a Delivery record into a receipt matched by Metadata and MessageID', async () => {
    const outcome = await post({ RecordType: 'Delivery', Recipient: 'ada@example.com', DeliveredAt: '2026-12-01T10:00:00Z' });
    expect(outcome.kind === 'accepted' && outcome.receipts).toEqual([
      expect.objectContaining({ provider: 'postmark', providerMessageId: 'pm-1', deliveryId: metadata.herald_delivery_id, outcome: 'delivered', recipient: 'ada@example.com', at: '2026-12-01T10:00:00.000Z' }),
    ]);
  });

  it.each([
    [{ RecordType: 'Bounce', ID: 1, Type: 'HardBounce', Email: 'ada@example.com', Inactive: true }, { outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD', receiptId: 'postmark:Bounce:1' }],
    [{ RecordType: 'Bounce', ID: 2, Type: 'SoftBounce', Inactive: false }, { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_SOFT' }],
    [{ RecordType: 'Bounce', ID: 3, Type: 'Transient' }, { outcome: 'deferred', reasonCode: 'DEFERRED' }],
    [{ RecordType: 'Bounce', ID: 4, Type: 'Blocked' }, { outcome: 'bounced', permanent: false, reasonCode: 'BOUNCE_BLOCKED' }],
    [{ RecordType: 'Bounce', ID: 5, Type: 'DMARCPolicy', Inactive: true }, { outcome: 'bounced', permanent: true }],
    [{ RecordType: 'SpamComplaint', ID: 6, Type: 'SpamComplaint' }, { outcome: 'complained', reasonCode: 'COMPLAINT', receiptId: 'postmark:SpamComplaint:6' }],
    [{ RecordType: 'SubscriptionChange', SuppressSending: true, SuppressionReason: 'ManualSuppression', Recipient: 'ada@example.com' }, { outcome: 'opted_out', reasonCode: 'UNSUBSCRIBED' }],
  ])('maps %j', async (record, expected) => {
    const outcome = await post(record);
    expect(outcome.kind === 'accepted' && outcome.receipts).toEqual([expect.objectContaining(expected)]);
  });

  it('gives the same Delivery the same receipt id, so a repeated webhook is stored once', async () => {
    const record = { RecordType: 'Delivery', Recipient: 'ada@example.com', DeliveredAt: '2026-12-01T10:00:00Z' };
    const [a, b] = await Promise.all([post(record), post(record)]);
    expect(a.kind === 'accepted' && a.receipts[0]?.receiptId).toBe(b.kind === 'accepted' && b.receipts[0]?.receiptId);
  });

  it('ignores opens, clicks and reactivations', async () => {
    expect(await post({ RecordType: 'Open' })).toEqual({ kind: 'accepted', receipts: [] });
    expect(await post({ RecordType: 'SubscriptionChange', SuppressSending: false })).toEqual({ kind: 'accepted', receipts: [] });
  });

  it('refuses wrong credentials (403) and none (401)', async () => {
    expect(await post({ RecordType: 'Delivery' }, auth('herald', 'guess'))).toMatchObject({ kind: 'refused', status: 403 });
    expect(await post({ RecordType: 'Delivery' }, auth('someone', 's3cret'))).toMatchObject({ kind: 'refused', status: 403 });
    expect(await post({ RecordType: 'Delivery' }, {} as ReturnType<typeof auth>)).toMatchObject({ kind: 'refused', status: 401 });
  });
});
