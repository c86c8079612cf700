/**
 * Signing secrets. Each endpoint has one (two during a rotation): `whsec_` and 32 random bytes in
 * base64, the Standard Webhooks format, shown to its owner once. Herald must keep them
 * recoverable (it signs with them), so they are sealed at rest with AES-256-GCM under the
 * deployment's WEBHOOK_SECRETS_KEY, bound to their endpoint (the endpoint id is the additional
 * authenticated data: a sealed secret copied to another row does not open). The sealed form
 * names the key by a short digest, so that a wrong key fails with a clear error.
 */
import { HeraldError } from '@herald/errors';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '@herald/contracts';

/** Random bytes in a new signing secret (Standard Webhooks asks for 24 to 64). */
export const SECRET_BYTES = 32;

export function newSigningSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** WEBHOOK_SECRETS_KEY: 32 bytes in base64 (e.g. `openssl rand -base64 32`). */
export const SECRETS_KEY_PATTERN = /^[A-Za-z0-9+/]{43}=$/;

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;
  private readonly keyId: string;

  constructor(keyBase64: string) {
    if (!SECRETS_KEY_PATTERN.test(keyBase64)) throw new Error('the secrets key must be 32 bytes in base64');
    this.key = Buffer.from(keyBase64, 'base64');
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 8);
  }

  /** Seals `secret` for the endpoint `endpointId`: v1.<key id>.<iv>.<ciphertext>.<tag>, base64url parts. */
  seal(secret: string, endpointId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(endpointId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** Opens what seal() made for the same endpoint; throws SecretUnreadableError otherwise. */
  open(sealed: string, endpointId: string): string {
    const [version, keyId, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !body || !tag) throw new SecretUnreadableError('not a sealed secret');
    if (keyId !== this.keyId) throw new SecretUnreadableError(`sealed under another key (${keyId}); WEBHOOK_SECRETS_KEY differs from the one that sealed it`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(endpointId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError('does not open (altered, or sealed for another endpoint)');
    }
  }
}

export class SecretUnreadableError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_WEBHOOKS_SECRET_UNREADABLE';
  readonly code = 'WEBHOOK_SECRET_UNREADABLE';
  constructor(detail: string) {
    super(`webhook secret ${detail}`);
  }
}
