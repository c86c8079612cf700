/**
 * SES events through SNS end to end: the SES emulator (a process) publishes each event as an SNS
 * notification signed (version 1 or 2) with a certificate it serves over HTTPS; the receipt source,
 * built from configuration with the topic allow-list and a host pattern of ^localhost$, fetches that
 * certificate over verified TLS (the emulator's certificate as an extra CA: the production code
 * path, with another trust anchor) and maps the events. Subscription confirmation is visited only on
 * an SNS host; other topics, other certificate hosts and forged messages are refused.
 */
import { parseConfig } from '@herald/runtime';
import { ReceiptCatcher, startEmulator, type CaughtRequest, type RunningEmulator } from '@herald/testing';
import { emailReceiptConfigSpec, emailReceiptSources } from '../src/providers/email';
import type { ReceiptSource } from '../src/providers/receipt-source';
import { asReceiptRequest, sendViaSes, tampered } from './support/emulated-send';

const credentials = { accessKeyId: 'AKIARECEIPTS', secretAccessKey: 'receipts-secret' };
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:herald-ses-events';
const signal = new AbortController().signal;

type SesCredentials = {
  certificatePem: string;
  topicArn: string;
};

describe.each(['2', '1'])('SES receipts through SNS (signature version %s)', (version) => {
  let catcher: ReceiptCatcher;
  let emulator: RunningEmulator;
  let ca: string;

  function source(env: Record<string, string> = {}): ReceiptSource {
    const config = parseConfig(emailReceiptConfigSpec, { SES_SNS_TOPIC_ARNS: TOPIC, SES_SNS_HOST_PATTERN: '^localhost$', ...env });
    const [built] = emailReceiptSources(new Set(['ses']), config, { snsExtraCa: ca });
    if (!built) throw new Error('no ses source');
    return built;
  }

  beforeAll(async () => {
    catcher = await ReceiptCatcher.start();
    emulator = await startEmulator('ses', {
      logGroup: `ses-receipts-v${version}`,
      callbackUrl: `${catcher.url}/providers/ses/events`,
      settings: { ...credentials, configurationSet: 'herald-events', topicArn: TOPIC, signatureVersion: version },
    });
    ca = (await emulator.client.credentials<SesCredentials>()).certificatePem;
  }, 90_000); // the emulator generates an RSA certificate and starts aws-ses-v2-local: slow on a loaded 2-core machine

  afterAll(async () => {
    await emulator?.process.stop();
    await catcher?.close();
  });

  const notificationsFor = (email: string) => (r: CaughtRequest) => r.headers['x-amz-sns-message-type'] === 'Notification' && r.rawBody.toString().includes(email);

  it('verifies the signed Delivery notification and matches it by tags and SES MessageId', async () => {
    const to = `success+${Date.now()}@simulator.amazonses.com`;
    const sent = await sendViaSes(emulator.url, credentials, 'herald-events', to);
    const [caught] = await catcher.waitFor(1, notificationsFor(to));
    expect(await source().handle(asReceiptRequest('ses', caught!), signal)).toEqual({
      kind: 'accepted',
      receipts: [expect.objectContaining({ provider: 'ses', providerMessageId: sent.providerMessageId, deliveryId: sent.deliveryId, messageId: sent.messageId, outcome: 'delivered', recipient: to })],
    });
  });

  it("reports the mailbox simulator's bounce, complaint and suppression-list addresses", async () => {
    const stamp = Date.now();
    const cases = [
      [`bounce+${stamp}@simulator.amazonses.com`, 1, [['bounced', true, 'BOUNCE_HARD']]],
      [`complaint+${stamp}@simulator.amazonses.com`, 2, [['delivered', false, undefined], ['complained', false, 'COMPLAINT']]],
      [`suppressionlist+${stamp}@simulator.amazonses.com`, 1, [['rejected', true, 'PROVIDER_SUPPRESSED']]],
    ] as const;
    const s = source();
    for (const [to, count, expected] of cases) {
      await sendViaSes(emulator.url, credentials, 'herald-events', to);
      const caught = await catcher.waitFor(count, notificationsFor(to));
      const outcomes = await Promise.all(caught.map((c) => s.handle(asReceiptRequest('ses', c), signal)));
      expect(outcomes.flatMap((o) => (o.kind === 'accepted' ? o.receipts.map((r) => [r.outcome, r.permanent, r.reasonCode]) : []))).toEqual(expected);
    }
  });

  it('confirms the subscription by visiting its SubscribeURL on the SNS host', async () => {
    const { token } = await emulator.client.control<{ token: string }>('POST', '/_emulator/sns/subscribe');
    const [caught] = await catcher.waitFor(1, (r) => r.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation' && r.rawBody.toString().includes(token));
    expect(await source().handle(asReceiptRequest('ses', caught!), signal)).toEqual({ kind: 'accepted', receipts: [] });
    const { confirmed } = await emulator.client.control<{ confirmed: Record<string, string[]> }>('GET', '/_emulator/sns/subscriptions');
    expect(confirmed[TOPIC]).toContain(token);
  });

  it('refuses a forged message, another topic, and a certificate from a host that is not an SNS host', async () => {
    const to = `success+${Date.now()}@simulator.amazonses.com`;
    await sendViaSes(emulator.url, credentials, 'herald-events', to);
    const [caught] = await catcher.waitFor(1, notificationsFor(to));
    const request = asReceiptRequest('ses', caught!);
    expect(await source().handle(tampered(request, 'Delivery', 'Bounce'), signal)).toEqual({ kind: 'refused', status: 403, reason: 'SNS signature does not verify' });
    expect(await source({ SES_SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:someone-else' }).handle(request, signal)).toMatchObject({ kind: 'refused', status: 403, reason: expect.stringContaining('allow-list') });
    // The default pattern (AWS' sns.<region>.amazonaws.com) does not fetch from the emulator's host.
    const strict = parseConfig(emailReceiptConfigSpec, { SES_SNS_TOPIC_ARNS: TOPIC });
    const [aws] = emailReceiptSources(new Set(['ses']), strict, { snsExtraCa: ca });
    expect(await aws!.handle(request, signal)).toMatchObject({ kind: 'refused', status: 403, reason: expect.stringContaining('SigningCertURL') });
    expect(await source().handle({ ...request, rawBody: Buffer.from('{"Type":"Notification"}') }, signal)).toMatchObject({ kind: 'refused', status: 401 });
  });

  it('refuses a certificate served by a host it does not trust (no extra CA: the TLS check fails)', async () => {
    const to = `success+${Date.now()}@simulator.amazonses.com`;
    await sendViaSes(emulator.url, credentials, 'herald-events', to);
    const [caught] = await catcher.waitFor(1, notificationsFor(to));
    const untrusting = emailReceiptSources(new Set(['ses']), parseConfig(emailReceiptConfigSpec, { SES_SNS_TOPIC_ARNS: TOPIC, SES_SNS_HOST_PATTERN: '^localhost$' }))[0];
    expect(await untrusting!.handle(asReceiptRequest('ses', caught!), signal)).toMatchObject({ kind: 'refused', status: 403, reason: expect.stringContaining('signing certificate unavailable') });
  });
});
