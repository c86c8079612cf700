/**
 * SendGrid's event webhook end to end: the emulator (a process) signs its events with a key pair
 * of its own; the receipt source, built from configuration with the emulator's verification key,
 * verifies what a test listener caught and maps it; forged, stale and other-key posts are refused.
 */
import { parseConfig } from '@herald/runtime';
import { ReceiptCatcher, startEmulator, uniqueRecipient, type RunningEmulator } from '@herald/testing';
import { emailReceiptConfigSpec, emailReceiptSources } from '../src/providers/email';
import type { ReceiptSource } from '../src/providers/receipt-source';
import { asReceiptRequest, sendViaSendGrid, tampered } from './support/emulated-send';

let catcher: ReceiptCatcher;
let emulator: RunningEmulator;
let source: ReceiptSource;
const signal = new AbortController().signal;

function sourceWith(env: Record<string, string>, now?: () => number): ReceiptSource {
  const [built] = emailReceiptSources(new Set(['sendgrid']), parseConfig(emailReceiptConfigSpec, env), now ? { now } : {});
  if (!built) throw new Error('no sendgrid source');
  return built;
}

beforeAll(async () => {
  catcher = await ReceiptCatcher.start();
  emulator = await startEmulator('sendgrid', { logGroup: 'sendgrid-receipts', callbackUrl: `${catcher.url}/providers/sendgrid/events`, settings: { apiKey: 'SG.receipts' } });
  const { publicKey } = await emulator.client.credentials<{ publicKey: string }>();
  source = sourceWith({ SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey });
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await catcher?.close();
});

const caughtFor = (email: string) => (r: { rawBody: Buffer }) => r.rawBody.toString().includes(email);

describe('SendGrid receipts', () => {
  it('verifies the signed delivered event and matches it to the delivery', async () => {
    const to = uniqueRecipient().email;
    const sent = await sendViaSendGrid(emulator.url, 'SG.receipts', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    const outcome = await source.handle(asReceiptRequest('sendgrid', caught!), signal);
    expect(outcome).toEqual({ kind: 'accepted', receipts: [expect.objectContaining({ provider: 'sendgrid', providerMessageId: sent.providerMessageId, deliveryId: sent.deliveryId, messageId: sent.messageId, outcome: 'delivered', recipient: to })] });
  });

  it('reports a hard bounce and a complaint for the test recipients that ask for them', async () => {
    const bounce = `bounce+${Date.now()}@example.com`;
    const complaint = `complaint+${Date.now()}@example.com`;
    await sendViaSendGrid(emulator.url, 'SG.receipts', bounce);
    await sendViaSendGrid(emulator.url, 'SG.receipts', complaint);
    const [bounced] = await catcher.waitFor(1, caughtFor(bounce));
    const complaints = await catcher.waitFor(2, caughtFor(complaint));
    const outcomes = await Promise.all([bounced!, ...complaints].map((c) => source.handle(asReceiptRequest('sendgrid', c), signal)));
    expect(outcomes.flatMap((o) => (o.kind === 'accepted' ? o.receipts.map((r) => [r.outcome, r.permanent, r.reasonCode]) : []))).toEqual([
      ['bounced', true, 'BOUNCE_HARD'],
      ['delivered', false, undefined],
      ['complained', false, 'COMPLAINT'],
    ]);
  });

  it('refuses a forged body, a stale signature and a post verified against another key', async () => {
    const to = uniqueRecipient().email;
    await sendViaSendGrid(emulator.url, 'SG.receipts', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    const request = asReceiptRequest('sendgrid', caught!);
    expect(await source.handle(tampered(request, '"delivered"', '"bounce"'), signal)).toMatchObject({ kind: 'refused', status: 403 });
    const later = sourceWith({ SENDGRID_WEBHOOK_PUBLIC_KEY: (await emulator.client.credentials<{ publicKey: string }>()).publicKey, SENDGRID_WEBHOOK_MAX_AGE_SEC: '60' }, () => Date.now() + 120_000);
    expect(await later.handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
    const other = await startEmulator('sendgrid', { logGroup: 'sendgrid-receipts' });
    try {
      const stranger = sourceWith({ SENDGRID_WEBHOOK_PUBLIC_KEY: (await other.client.credentials<{ publicKey: string }>()).publicKey });
      expect(await stranger.handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
    } finally {
      await other.process.stop();
    }
  });
});
