import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { SecretBox, SecretUnreadableError, newSigningSecret } from './secrets';
import { WebhookSigner } from './signing';

const key = () => randomBytes(32).toString('base64');

describe('signing secrets', () => {
  it('are whsec_ and 32 random bytes in base64, usable by any Standard Webhooks library', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(newSigningSecret()).not.toBe(secret);
  });

  it('open only for the endpoint and the key they were sealed for', () => {
    const box = new SecretBox(key());
    const secret = newSigningSecret();
    const sealed = box.seal(secret, 'endpoint-a');
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'endpoint-a')).toBe(secret);
    expect(() => box.open(sealed, 'endpoint-b')).toThrow(SecretUnreadableError);
    expect(() => new SecretBox(key()).open(sealed, 'endpoint-a')).toThrow(/another key/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'endpoint-a')).toThrow(/does not open/);
  });

  it('refuse a key that is not 32 bytes in base64', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe('WebhookSigner', () => {
  it('signs calls that the standardwebhooks reference implementation verifies, with either secret during a rotation', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const body = JSON.stringify({ type: 'delivery.sent', timestamp: new Date().toISOString(), data: { x: 1 } });
    const headers = new WebhookSigner([current, previous]).headers('msg_123', new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow();
  });
});
