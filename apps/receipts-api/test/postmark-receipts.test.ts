/**
 * Postmark's webhooks end to end: the emulator (a process) posts its records with the basic-auth
 * credentials written in the webhook URL, as Postmark does; the receipt source, built from
 * configuration, takes them and maps them, and refuses other credentials and none.
 */
import { parseConfig } from '@herald/runtime';
import { ReceiptCatcher, startEmulator, uniqueRecipient, type RunningEmulator } from '@herald/testing';
import { emailReceiptConfigSpec, emailReceiptSources } from '../src/providers/email';
import type { ReceiptSource } from '../src/providers/receipt-source';
import { asReceiptRequest, sendViaPostmark } from './support/emulated-send';

let catcher: ReceiptCatcher;
let emulator: RunningEmulator;
let source: ReceiptSource;
const signal = new AbortController().signal;

beforeAll(async () => {
  catcher = await ReceiptCatcher.start();
  const callback = new URL('/providers/postmark/events', catcher.url);
  callback.username = 'herald';
  callback.password = 'p@ss word';
  emulator = await startEmulator('postmark', { logGroup: 'postmark-receipts', callbackUrl: callback.toString(), settings: { serverToken: 'pm-r' } });
  const [built] = emailReceiptSources(new Set(['postmark']), parseConfig(emailReceiptConfigSpec, { POSTMARK_WEBHOOK_USERNAME: 'herald', POSTMARK_WEBHOOK_PASSWORD: 'p@ss word' }));
  source = built!;
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await catcher?.close();
});

const caughtFor = (email: string) => (r: { rawBody: Buffer }) => r.rawBody.toString().includes(email);

describe('Postmark receipts', () => {
  it('takes the Delivery record posted with the URL credentials and matches it by Metadata', async () => {
    const to = uniqueRecipient().email;
    const sent = await sendViaPostmark(emulator.url, 'pm-r', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    expect(await source.handle(asReceiptRequest('postmark', caught!), signal)).toEqual({
      kind: 'accepted',
      receipts: [expect.objectContaining({ provider: 'postmark', providerMessageId: sent.providerMessageId, deliveryId: sent.deliveryId, outcome: 'delivered', recipient: to })],
    });
  });

  it("reports Postmark's bounce-testing addresses as their bounce types", async () => {
    const hard = 'HardBounce@bounce-testing.postmarkapp.com';
    await sendViaPostmark(emulator.url, 'pm-r', hard);
    const [caught] = await catcher.waitFor(1, caughtFor(hard));
    expect(await source.handle(asReceiptRequest('postmark', caught!), signal)).toMatchObject({ receipts: [{ outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD' }] });
  });

  it('refuses the same post with other credentials (403) or none (401)', async () => {
    const to = uniqueRecipient().email;
    await sendViaPostmark(emulator.url, 'pm-r', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    const request = asReceiptRequest('postmark', caught!);
    expect(await source.handle({ ...request, headers: { ...request.headers, authorization: `Basic ${Buffer.from('herald:guess').toString('base64')}` } }, signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source.handle({ ...request, headers: { ...request.headers, authorization: undefined } }, signal)).toMatchObject({ kind: 'refused', status: 401 });
  });
});
