/**
 * Amazon SNS HTTP(S) delivery as this emulator does it: messages signed with SignatureVersion 1
 * (SHA1withRSA) or 2 (SHA256withRSA) over SNS' documented string to sign, with a signing
 * certificate served over HTTPS (SigningCertURL), and subscription confirmation through a
 * SubscribeURL on the same HTTPS server.
 *
 * The certificate is self-signed for localhost and 127.0.0.1 and is also the HTTPS server's own,
 * so a receiver that trusts it (GET /_emulator/credentials gives the PEM: pass it as an extra CA,
 * or NODE_EXTRA_CA_CERTS to a process) fetches the signing certificate over verified TLS exactly
 * as it does from sns.<region>.amazonaws.com, with its host pattern set to ^localhost$.
 */
import { createSign, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

/** The fields SNS signs, in the order it signs them (absent ones are skipped). */
const SIGNED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function snsStringToSign(message: Readonly<Record<string, unknown>>): string {
  const fields = SIGNED_FIELDS[String(message['Type'])] ?? [];
  return fields
    .filter((f) => typeof message[f] === 'string')
    .map((f) => `${f}\n${String(message[f])}\n`)
    .join('');
}

export interface SnsSigner {
  readonly certificatePem: string;
  readonly certUrl: string;
  /** Host:port of the HTTPS server (what SigningCertURL and SubscribeURL name). */
  readonly host: string;
  /** Topic ARN -> confirmation tokens visited on the SubscribeURL. */
  readonly confirmed: Map<string, string[]>;
  sign(message: Record<string, string>, version: '1' | '2'): Record<string, string>;
  subscribeUrl(topicArn: string, token: string): string;
  close(): Promise<void>;
}

export async function startSnsSigner(options: { port?: number } = {}): Promise<SnsSigner> {
  const notAfter = new Date(Date.now() + 7 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, keyEncipherment: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const confirmed = new Map<string, string[]>();
  const certPath = `/SimpleNotificationService-${randomUUID().replace(/-/g, '')}.pem`;
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://localhost');
    if (request.method === 'GET' && url.pathname === certPath) {
      response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pems.cert);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      const topic = url.searchParams.get('TopicArn') ?? '';
      confirmed.set(topic, [...(confirmed.get(topic) ?? []), url.searchParams.get('Token') ?? '']);
      const arn = `${topic}:${randomUUID()}`;
      response
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(`<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${arn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const host = `localhost:${(server.address() as AddressInfo).port}`;
  return {
    certificatePem: pems.cert,
    certUrl: `https://${host}${certPath}`,
    host,
    confirmed,
    sign(message, version) {
      const signer = createSign(version === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
      signer.update(snsStringToSign(message), 'utf8');
      return { ...message, SignatureVersion: version, Signature: signer.sign(pems.private, 'base64'), SigningCertURL: `https://${host}${certPath}` };
    },
    subscribeUrl(topicArn, token) {
      return `https://${host}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${encodeURIComponent(token)}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
