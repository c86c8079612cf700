/**
 * The SMS emulators refuse what their providers refuse, seen from a plain HTTP client (no SDK):
 * Twilio without credentials, Vonage with a wrong secret, SNS without a SigV4 signature or with an
 * unknown action; and the control API reports what each received.
 */
import { createHash } from 'node:crypto';
import type { Emulator } from '../src/kit/emulator';
import { createEmulator } from '../src/registry';
import { vonageSignature } from '../src/sms/vonage';

const running: Emulator[] = [];

async function start(provider: string, settings: Record<string, string> = {}): Promise<string> {
  const emulator = createEmulator(provider, { settings });
  running.push(emulator);
  return emulator.start();
}

afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

describe('SMS emulators', () => {
  it('Twilio answers 401 with error 20003 without Basic credentials, as Twilio does', async () => {
    const url = await start('twilio');
    const response = await fetch(`${url}/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'To=%2B447700900123&From=%2B15005550006&Body=hi' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003, status: 401, more_info: 'https://www.twilio.com/docs/errors/20003' });
  });

  it('Vonage answers 200 with status 4 for a wrong secret and stores nothing', async () => {
    const url = await start('vonage', { apiKey: 'k1k2k3k4', apiSecret: 'right' });
    const response = await fetch(`${url}/sms/json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'api_key=k1k2k3k4&api_secret=wrong&from=Herald&to=447700900123&text=hi' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
    expect(await (await fetch(`${url}/_emulator/stats`)).json()).toMatchObject({ received: 0 });
  });

  it('Vonage signs as its guide says: a leading &, sorted pairs, & and = in values replaced', () => {
    expect(vonageSignature({ b: 'x=1', a: 'y&z' }, 's', 'md5hash')).toBe(createHash('md5').update('&a=y_z&b=x_1s').digest('hex'));
  });

  it('SNS refuses a request without a SigV4 Authorization header with an XML ErrorResponse', async () => {
    const url = await start('sns');
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=Publish&Version=2010-03-31&PhoneNumber=%2B447700900123&Message=hi' });
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(text).toContain('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">');
  });
});
