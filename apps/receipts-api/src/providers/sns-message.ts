/**
 * Amazon SNS messages delivered over HTTP(S), verified as AWS documents it, with node:crypto:
 * - the TopicArn must be one of ours (an allow-list);
 * - SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) over SNS' string to sign (the fields of
 *   the message type, in order);
 * - the signing certificate is fetched over HTTPS (verified TLS) only from a SigningCertURL whose
 *   host matches the SNS host pattern (default sns.<region>.amazonaws.com), ends in .pem, and is
 *   cached per URL;
 * - a SubscriptionConfirmation's SubscribeURL is visited only when it is https on a host matching
 *   the same pattern.
 *
 * Not sns-validator: its certificate fetch has no timeout and no way to trust another CA than the
 * process' (which tests against an emulator's certificate need in process), it keeps a process-wide
 * cache and a callback API, and it does not check the SubscribeURL; this is the same algorithm in
 * about a hundred lines of node:crypto.
 */
import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export const DEFAULT_SNS_HOST_PATTERN = '^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$';

export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Timestamp: string;
  Message: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
}

const SIGNED_FIELDS: Readonly<Record<string, ReadonlyArray<keyof SnsMessage>>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function stringToSign(message: SnsMessage): string | undefined {
  const fields = SIGNED_FIELDS[message.Type];
  if (!fields) return undefined;
  return fields
    .filter((f) => typeof message[f] === 'string')
    .map((f) => `${f}\n${String(message[f])}\n`)
    .join('');
}

export function parseSnsMessage(raw: unknown): SnsMessage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  const required = ['Type', 'MessageId', 'TopicArn', 'Timestamp', 'Message', 'SignatureVersion', 'Signature', 'SigningCertURL'];
  if (!required.every((k) => typeof m[k] === 'string')) return undefined;
  for (const k of ['Subject', 'Token', 'SubscribeURL']) if (m[k] !== undefined && typeof m[k] !== 'string') return undefined;
  return m as unknown as SnsMessage;
}

export interface SnsVerifierSettings {
  topicArns: readonly string[];
  /** Host pattern for SigningCertURL and SubscribeURL (hostname only, no port). */
  hostPattern: RegExp;
  /** A CA to trust besides the system's when fetching certificates (an emulator's, in tests); absent: the process' store (NODE_EXTRA_CA_CERTS included). */
  extraCa?: string;
  timeoutMs?: number;
}

export type SnsVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

const MAX_CERTIFICATES = 32;
const MAX_CERTIFICATE_BYTES = 64 * 1024;

export class SnsVerifier {
  private readonly certificates = new Map<string, Promise<KeyObject>>();

  constructor(private readonly settings: SnsVerifierSettings) {}

  /** Whether a URL may be fetched: https, default port or any, host matching the pattern. */
  trustedUrl(value: string | undefined, kind: 'certificate' | 'subscribe'): URL | undefined {
    if (!value) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'https:' || url.username || url.password || !this.settings.hostPattern.test(url.hostname)) return undefined;
    if (kind === 'certificate' && !url.pathname.endsWith('.pem')) return undefined;
    return url;
  }

  async verify(message: SnsMessage, signal?: AbortSignal): Promise<SnsVerdict> {
    if (!this.settings.topicArns.includes(message.TopicArn)) return { ok: false, status: 403, reason: `topic ${message.TopicArn} is not in the allow-list` };
    const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
    if (!algorithm) return { ok: false, status: 403, reason: `unknown SignatureVersion ${message.SignatureVersion}` };
    const url = this.trustedUrl(message.SigningCertURL, 'certificate');
    if (!url) return { ok: false, status: 403, reason: 'SigningCertURL is not an https .pem on an SNS host' };
    const text = stringToSign(message);
    if (text === undefined) return { ok: false, status: 403, reason: `unknown message Type ${message.Type}` };
    let key: KeyObject;
    try {
      key = await this.certificate(url, signal);
    } catch (error) {
      return { ok: false, status: 403, reason: `signing certificate unavailable: ${(error as Error).message}` };
    }
    const valid = verify(algorithm, Buffer.from(text, 'utf8'), key, Buffer.from(message.Signature, 'base64'));
    return valid ? { ok: true } : { ok: false, status: 403, reason: 'SNS signature does not verify' };
  }

  /** Visits a SubscriptionConfirmation's SubscribeURL (after verify()); false when it is not to be trusted. */
  async confirm(message: SnsMessage, signal?: AbortSignal): Promise<boolean> {
    const url = this.trustedUrl(message.SubscribeURL, 'subscribe');
    if (!url) return false;
    await this.get(url, signal);
    return true;
  }

  private certificate(url: URL, signal?: AbortSignal): Promise<KeyObject> {
    const key = url.toString();
    let pending = this.certificates.get(key);
    if (!pending) {
      pending = this.get(url, signal).then((pem) => new X509Certificate(pem).publicKey);
      pending.catch(() => this.certificates.delete(key));
      if (this.certificates.size >= MAX_CERTIFICATES) this.certificates.delete(this.certificates.keys().next().value as string);
      this.certificates.set(key, pending);
    }
    return pending;
  }

  private get(url: URL, signal?: AbortSignal): Promise<string> {
    const options: RequestOptions = { method: 'GET', timeout: this.settings.timeoutMs ?? 5_000, ...(signal ? { signal } : {}), ...(this.settings.extraCa ? { ca: this.settings.extraCa } : {}) };
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, options, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`${url.hostname} answered ${response.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_CERTIFICATE_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }
}
