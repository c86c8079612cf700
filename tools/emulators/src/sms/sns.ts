/**
 * Amazon SNS, the Query API as the AWS SDK calls it: POST / with a form-encoded body
 * (Action=..., Version=2010-03-31) and XML answers in the 2010-03-31 namespace.
 *
 *   Action=Publish                        PhoneNumber, Message, MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}
 *   Action=CheckIfPhoneNumberIsOptedOut   phoneNumber
 *
 * Every request must carry an AWS Signature Version 4 Authorization header for service sns: the
 * access key named in its credential scope must be the configured one (settings accessKeyId,
 * secretAccessKey), else 403 InvalidClientTokenId; the signature is recomputed with
 * @smithy/signature-v4 over the signed headers and the body, else 403 SignatureDoesNotMatch.
 * Errors are SNS's ErrorResponse (Type, Code, Message); an injected fault's `code` is the SNS error
 * code (InvalidParameter, Throttling, InternalError...). A PhoneNumber that is not E.164 is 400
 * InvalidParameter, as SNS answers.
 *
 * SNS has no per-message delivery callback for SMS: no receipts are sent. Numbers in setting
 * `optedOut` (comma-separated) have opted out: CheckIfPhoneNumberIsOptedOut says so, and Publish
 * accepts and silently drops messages to them, as SNS does (stored with extra.dropped = true).
 */
import { createHash, createHmac, randomUUID, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator, ProviderEmulator, StoredMessage } from '../kit/emulator';
import type { Fault } from '../kit/faults';
import { acceptFormBodies, rawBodies } from './form';

export const SNS_DEFAULTS = { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret-access-key' } as const;

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const ERROR_STATUS: Readonly<Record<string, number>> = {
  InvalidParameter: 400, InvalidParameterValue: 400, ValidationError: 400, Throttling: 400, Throttled: 429, AuthorizationError: 403,
  InvalidClientTokenId: 403, SignatureDoesNotMatch: 403, MissingAuthenticationToken: 403, InternalError: 500, InternalFailure: 500, ServiceUnavailable: 503,
  KMSThrottling: 400, OptedOut: 400, InvalidAction: 400,
};

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function snsErrorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${(ERROR_STATUS[code] ?? 400) >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (and HMAC-SHA-256 with a secret) for the signer, from node:crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Checks the request's SigV4 signature; returns the SNS error code when it is not right. */
async function verifySigV4(request: FastifyRequest, rawBody: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string | null> {
  const header = request.headers.authorization ?? '';
  const match = AUTH.exec(header);
  if (!match) return 'MissingAuthenticationToken';
  const [, accessKeyId, , region = '', service, signedHeaders = '', signature] = match;
  if (accessKeyId !== credentials.accessKeyId) return 'InvalidClientTokenId';
  if (service !== 'sns') return 'SignatureDoesNotMatch';
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dateMatch) return 'SignatureDoesNotMatch';
  const signingDate = new Date(`${dateMatch[1]}-${dateMatch[2]}-${dateMatch[3]}T${dateMatch[4]}:${dateMatch[5]}:${dateMatch[6]}Z`);
  const names = signedHeaders.split(';');
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  const host = String(request.headers.host ?? '');
  const [hostname = host, port] = host.split(':');
  const url = new URL(request.url, `http://${host}`);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({ service: 'sns', region, credentials, sha256: NodeSha256, applyChecksum: names.includes('x-amz-content-sha256') });
  const signed = await signer.sign({ method: request.method, protocol: 'http:', hostname, ...(port ? { port: Number(port) } : {}), path: url.pathname, query, headers, body: rawBody }, { signingDate });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1];
  return expected === signature ? null : 'SignatureDoesNotMatch';
}

/** MessageAttributes.entry.N.Name / .Value.StringValue from a Query API form. */
function messageAttributes(p: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    const m = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(k);
    if (m) out[v] = p[`MessageAttributes.entry.${m[1]}.Value.StringValue`] ?? '';
  }
  return out;
}

export function snsEmulator(): ProviderEmulator {
  return {
    provider: 'sns',
    channel: 'sms',
    register(emulator: Emulator) {
      const credentials = { accessKeyId: emulator.setting('accessKeyId', SNS_DEFAULTS.accessKeyId), secretAccessKey: emulator.setting('secretAccessKey', SNS_DEFAULTS.secretAccessKey) };
      const optedOut = new Set(emulator.setting('optedOut', '').split(',').map((n) => n.trim()).filter(Boolean));
      const app = emulator.app;
      acceptFormBodies(app);
      const fail = (reply: FastifyReply, code: string, message: string, status?: number) => reply.code(status ?? ERROR_STATUS[code] ?? 400).type('text/xml').send(snsErrorXml(code, message));
      const answer = (reply: FastifyReply, action: string, result: string) =>
        reply.code(200).type('text/xml').send(`<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);

      app.post<{ Body: Record<string, string> | undefined }>('/', async (request, reply) => {
        const p = request.body ?? {};
        const authError = await verifySigV4(request, rawBodies.get(request) ?? '', credentials);
        if (authError === 'InvalidClientTokenId') return fail(reply, authError, 'The security token included in the request is invalid.');
        if (authError === 'MissingAuthenticationToken') return fail(reply, authError, 'Request is missing Authentication Token');
        if (authError) return fail(reply, authError, 'The request signature we calculated does not match the signature you provided.');
        switch (p['Action']) {
          case 'CheckIfPhoneNumberIsOptedOut': {
            const number = p['phoneNumber'] ?? '';
            if (!/^\+?[1-9]\d{6,14}$/.test(number)) return fail(reply, 'InvalidParameter', 'Invalid parameter: PhoneNumber');
            const normalized = number.startsWith('+') ? number : `+${number}`;
            return answer(reply, 'CheckIfPhoneNumberIsOptedOut', `<isOptedOut>${optedOut.has(normalized)}</isOptedOut>`);
          }
          case 'Publish': {
            const to = p['PhoneNumber'];
            if (!to) return fail(reply, 'InvalidParameter', 'Invalid parameter: PhoneNumber or TopicArn or TargetArn Reason: no value for required parameter');
            if (!/^\+[1-9]\d{6,14}$/.test(to)) return fail(reply, 'InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${to} is not valid to publish to`);
            const text = p['Message'];
            if (!text) return fail(reply, 'InvalidParameter', 'Invalid parameter: Message Reason: Empty message');
            const attributes = messageAttributes(p);
            const senderId = attributes['AWS.SNS.SMS.SenderID'];
            if (senderId !== undefined && !/^[A-Za-z0-9]{1,11}$/.test(senderId)) return fail(reply, 'InvalidParameter', 'Invalid parameter: MessageAttributes Reason: invalid AWS.SNS.SMS.SenderID');
            const type = attributes['AWS.SNS.SMS.SMSType'];
            if (type !== undefined && type !== 'Transactional' && type !== 'Promotional') return fail(reply, 'InvalidParameter', 'Invalid parameter: MessageAttributes Reason: invalid AWS.SNS.SMS.SMSType');
            const id = randomUUID();
            reply.type('text/xml');
            return emulator.send({
              reply,
              to,
              message: (): StoredMessage => ({ id, to, from: senderId ?? attributes['AWS.MM.SMS.OriginationNumber'] ?? null, subject: null, text, html: null, extra: { attributes, dropped: optedOut.has(to), accessKeyId: credentials.accessKeyId }, receivedAt: new Date().toISOString() }),
              error: (fault: Fault) => {
                const code = fault.code ?? (fault.status === 429 ? 'Throttled' : (fault.status ?? 500) >= 500 ? 'InternalError' : 'InvalidParameter');
                return { status: fault.status ?? ERROR_STATUS[code] ?? 400, contentType: 'text/xml', body: snsErrorXml(code, `emulated ${code}`) };
              },
              defaultOutcomes: () => [],
              receipts: () => [],
              respond: () => `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
            });
          }
          default:
            return fail(reply, 'InvalidAction', `The action ${p['Action'] ?? '(none)'} is not valid for this endpoint.`);
        }
      });
    },
  };
}
