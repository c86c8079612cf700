/**
 * Standard Webhooks signatures, made by the reference implementation (the `standardwebhooks`
 * package): `v1,<base64 HMAC-SHA256 of "webhook-id.webhook-timestamp.body">`, one per secret,
 * separated by spaces (during a rotation both the new and the previous secret sign, and a
 * receiver accepts the call when any signature matches a secret it knows).
 */
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A signer per secret, made once (the key is decoded from base64 in the constructor). */
export class WebhookSigner {
  private readonly signers: Webhook[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one signing secret is needed');
    this.signers = secrets.map((s) => new Webhook(s));
  }

  /** The three headers of a call with `body` sent at `at`. */
  headers(webhookId: string, at: Date, body: string): SignedHeaders {
    return {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.signers.map((s) => s.sign(webhookId, at, body)).join(' '),
    };
  }
}
