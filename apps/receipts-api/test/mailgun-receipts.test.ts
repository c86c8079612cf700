/**
 * Mailgun's webhooks end to end: the emulator (a process) signs each webhook with its signing key;
 * the receipt source, built from configuration with that key, verifies what a test listener caught
 * and maps it; a forged signature, a signature reused on another body and a stale webhook are
 * refused, the same webhook again gives the same receipt.
 */
import { parseConfig } from '@herald/runtime';
import { ReceiptCatcher, startEmulator, uniqueRecipient, type RunningEmulator } from '@herald/testing';
import { emailReceiptConfigSpec, emailReceiptSources } from '../src/providers/email';
import type { ReceiptSource } from '../src/providers/receipt-source';
import { asReceiptRequest, sendViaMailgun, tampered } from './support/emulated-send';

let catcher: ReceiptCatcher;
let emulator: RunningEmulator;
const signal = new AbortController().signal;
const SIGNING_KEY = 'whsec-mailgun-receipts-test';

function source(now?: () => number): ReceiptSource {
  const [built] = emailReceiptSources(new Set(['mailgun']), parseConfig(emailReceiptConfigSpec, { MAILGUN_WEBHOOK_SIGNING_KEY: SIGNING_KEY, MAILGUN_WEBHOOK_MAX_AGE_SEC: '300' }), now ? { now } : {});
  if (!built) throw new Error('no mailgun source');
  return built;
}

beforeAll(async () => {
  catcher = await ReceiptCatcher.start();
  emulator = await startEmulator('mailgun', { logGroup: 'mailgun-receipts', callbackUrl: `${catcher.url}/providers/mailgun/events`, settings: { apiKey: 'key-r', domain: 'mg.acme.test', webhookSigningKey: SIGNING_KEY } });
}, 30_000);

afterAll(async () => {
  await emulator?.process.stop();
  await catcher?.close();
});

const caughtFor = (email: string) => (r: { rawBody: Buffer }) => r.rawBody.toString().includes(email);

describe('Mailgun receipts', () => {
  it('verifies the signed delivered webhook and matches it by user variables and Message-Id', async () => {
    const to = uniqueRecipient().email;
    const sent = await sendViaMailgun(emulator.url, 'key-r', 'mg.acme.test', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    expect(await source().handle(asReceiptRequest('mailgun', caught!), signal)).toEqual({
      kind: 'accepted',
      receipts: [expect.objectContaining({ provider: 'mailgun', providerMessageId: sent.providerMessageId, deliveryId: sent.deliveryId, outcome: 'delivered', recipient: to })],
    });
  });

  it('reports a permanent failure as a hard bounce and a temporary one as deferred', async () => {
    const bounce = `bounce+${Date.now()}@example.com`;
    const soft = `softbounce+${Date.now()}@example.com`;
    await sendViaMailgun(emulator.url, 'key-r', 'mg.acme.test', bounce);
    await sendViaMailgun(emulator.url, 'key-r', 'mg.acme.test', soft);
    const s = source();
    const [hard] = await catcher.waitFor(1, caughtFor(bounce));
    const [temporary] = await catcher.waitFor(1, caughtFor(soft));
    expect(await s.handle(asReceiptRequest('mailgun', hard!), signal)).toMatchObject({ receipts: [{ outcome: 'bounced', permanent: true, reasonCode: 'BOUNCE_HARD' }] });
    expect(await s.handle(asReceiptRequest('mailgun', temporary!), signal)).toMatchObject({ receipts: [{ outcome: 'deferred', permanent: false }] });
  });

  it('refuses a forged signature and one older than the window; the same webhook again gives the same receipt', async () => {
    const to = uniqueRecipient().email;
    await sendViaMailgun(emulator.url, 'key-r', 'mg.acme.test', to);
    const [caught] = await catcher.waitFor(1, caughtFor(to));
    const request = asReceiptRequest('mailgun', caught!);
    const s = source();
    const body = JSON.parse(request.rawBody.toString()) as { signature: { signature: string } };
    const forgedSignature = tampered(request, body.signature.signature, body.signature.signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')));
    expect(await s.handle(forgedSignature, signal)).toMatchObject({ kind: 'refused', status: 403 });
    const first = await s.handle(request, signal);
    expect(first).toMatchObject({ kind: 'accepted', receipts: [{ outcome: 'delivered' }] });
    expect(await s.handle(request, signal)).toEqual(first);
    expect(await s.handle(tampered(request, '"delivered"', '"complained"'), signal)).toMatchObject({ kind: 'refused', status: 403 });
    expect(await source(() => Date.now() + 600_000).handle(request, signal)).toMatchObject({ kind: 'refused', status: 403 });
  });
});
