import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeraldApiError, createHeraldClient, retryAfterSeconds, retryDelayMs, DEFAULT_RETRY, type NorthRequest } from './index';

/** A real HTTP server that answers each request with the next scripted answer, and records what it got. */
class ScriptedServer {
  readonly received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string; at: number }> = [];
  private readonly server: Server;
  private script: Array<(res: ServerResponse) => void> = [];
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
        const next = this.script.shift();
        if (next) next(res);
        else answer(500, { type: 'about:blank', title: 'unscripted', status: 500, code: 'TEST_UNSCRIPTED' })(res);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answers(...script: Array<(res: ServerResponse) => void>): void {
    this.script = script;
    this.received.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({ type: `https://herald.dev/problems/${code}`, title: code, status, code, requestId: 'req-1', ...extra });

function answer(status: number, body: unknown, headers: Record<string, string> = {}, type = status >= 400 ? 'application/problem+json' : 'application/json') {
  return (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const hangUp = (res: ServerResponse) => res.socket?.destroy();

const accepted = (id = '01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f') => answer(202, { id, status: 'accepted', deliveries: [{ channel: 'email', status: 'accepted' }] }, { location: `/v1/messages/${id}` });

const message: NorthRequest = { to: { email: 'ada@example.com' }, channels: ['email'], email: { subject: 'Hi', text: 'Hello' } };

const server = new ScriptedServer();
const fast = { baseDelayMs: 20, random: () => 0.5 };

beforeAll(() => server.start());
afterAll(() => server.stop());

describe('HeraldClient retries', () => {
  it('retries a 429 after the Retry-After the server gave, with the same Idempotency-Key and API key', async () => {
    server.answers(answer(429, problem(429, 'HERALD_ERR_RATE_LIMITED'), { 'retry-after': '1' }), accepted());
    const herald = createHeraldClient({ baseUrl: server.url, apiKey: 'k-123', retry: fast });
    const sent = await herald.sendMessage(message);
    expect(sent).toMatchObject({ id: '01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f', status: 'accepted', replayed: false, location: '/v1/messages/01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f' });
    const [first, second] = server.received;
    expect(server.received).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(first?.headers['idempotency-key']).toBe(sent.idempotencyKey);
    expect(second?.headers['idempotency-key']).toBe(sent.idempotencyKey);
    expect(second?.headers['authorization']).toBe('Bearer k-123');
    expect(JSON.parse(second?.body ?? '{}')).toEqual(message);
  });

  it('retries a 503 without Retry-After with a growing backoff, and gives up after the attempts allowed with a typed error', async () => {
    const unavailable = answer(503, problem(503, 'HERALD_ERR_UNAVAILABLE', { detail: 'Kafka did not acknowledge' }));
    server.answers(unavailable, unavailable, unavailable);
    const herald = createHeraldClient({ baseUrl: server.url, retry: { ...fast, attempts: 3 } });
    const error = await herald.sendMessage(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldApiError);
    expect(error).toMatchObject({ status: 503, code: 'HERALD_ERR_UNAVAILABLE', detail: 'Kafka did not acknowledge', requestId: 'req-1' });
    expect(server.received).toHaveLength(3);
    const [a, b, c] = server.received.map((r) => r.at);
    // Equal jitter with random 0.5: 15 ms then 30 ms (base 20 ms, doubling).
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(14);
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(29);
    expect(new Set(server.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('does not wait for a Retry-After longer than maxDelayMs: the 429 goes back to the caller at once', async () => {
    server.answers(answer(429, problem(429, 'HERALD_ERR_RATE_LIMITED'), { 'retry-after': '120' }));
    const herald = createHeraldClient({ baseUrl: server.url, retry: { ...fast, maxDelayMs: 5_000 } });
    const started = Date.now();
    const error = await herald.sendMessage(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'HERALD_ERR_RATE_LIMITED', retryAfterSec: 120 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.received).toHaveLength(1);
  });

  it('retries a GET whose connection broke, but not a POST without an Idempotency-Key', async () => {
    const view = { id: '01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f' };
    server.answers(hangUp, answer(200, view));
    const herald = createHeraldClient({ baseUrl: server.url, retry: fast });
    expect(await herald.getMessage(view.id)).toEqual(view);
    expect(server.received).toHaveLength(2);

    server.answers(hangUp, answer(200, { dryRun: true, matched: 0, replayed: 0, deliveryIds: [] }));
    await expect(herald.replay({ dryRun: true })).rejects.toThrow('fetch failed');
    expect(server.received).toHaveLength(1);
  });

  it('sends nothing more once the signal aborts during the wait, and rejects at once', async () => {
    server.answers(answer(503, problem(503, 'HERALD_ERR_UNAVAILABLE'), { 'retry-after': '10' }), accepted());
    const herald = createHeraldClient({ baseUrl: server.url, retry: fast });
    const controller = new AbortController();
    const started = Date.now();
    const sending = herald.sendMessage(message, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 200);
    await expect(sending).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.received).toHaveLength(1);
  });

  it('retries nothing when retry is false', async () => {
    server.answers(answer(503, problem(503, 'HERALD_ERR_UNAVAILABLE')), accepted());
    const herald = createHeraldClient({ baseUrl: server.url, retry: false });
    await expect(herald.sendMessage(message)).rejects.toMatchObject({ status: 503 });
    expect(server.received).toHaveLength(1);
  });
});

describe('HeraldClient errors and keys', () => {
  it('maps a validation problem to a HeraldApiError with each field, and does not retry it', async () => {
    const errors = [{ field: '/to/email', message: 'must be a valid email address' }];
    server.answers(answer(400, problem(400, 'HERALD_ERR_VALIDATION', { detail: '/to/email must be a valid email address', errors })));
    const herald = createHeraldClient({ baseUrl: server.url, retry: fast });
    const error = (await herald.sendMessage(message).catch((e: unknown) => e)) as HeraldApiError;
    expect(error).toBeInstanceOf(HeraldApiError);
    expect({ status: error.status, code: error.code, fields: error.fields, type: error.type, message: error.message }).toEqual({
      status: 400,
      code: 'HERALD_ERR_VALIDATION',
      fields: errors,
      type: 'https://herald.dev/problems/HERALD_ERR_VALIDATION',
      message: '400 HERALD_ERR_VALIDATION: /to/email must be a valid email address',
    });
    expect(server.received).toHaveLength(1);
  });

  it('gives an answer that is not problem+json (a proxy page) the code HERALD_CLIENT_HTTP_<status>', async () => {
    server.answers(answer(502, '<html>Bad gateway</html>', {}, 'text/html'));
    const herald = createHeraldClient({ baseUrl: server.url, retry: fast });
    await expect(herald.getMessage('01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f')).rejects.toMatchObject({ status: 502, code: 'HERALD_CLIENT_HTTP_502', problem: undefined, fields: [] });
  });

  it('answers undefined from findMessage for an unknown id', async () => {
    server.answers(answer(404, problem(404, 'HERALD_ERR_MESSAGE_NOT_FOUND')));
    const herald = createHeraldClient({ baseUrl: server.url });
    expect(await herald.findMessage('01936f1e-8a4b-7c3d-9e2f-1a2b3c4d5e6f')).toBeUndefined();
  });

  it('keeps the Idempotency-Key given, reports a replayed answer, and gives one to raw api calls of operations that take it', async () => {
    server.answers(answer(202, { id: 'x', status: 'accepted', deliveries: [] }, { 'idempotent-replayed': 'true' }), accepted());
    const herald = createHeraldClient({ baseUrl: server.url });
    const sent = await herald.sendMessage(message, { idempotencyKey: 'order-42' });
    expect(sent).toMatchObject({ idempotencyKey: 'order-42', replayed: true });
    const raw = await herald.api.POST('/v1/North', { body: message });
    expect(raw.response.status).toBe(202);
    expect(server.received.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', expect.stringMatching(/^[0-9a-f-]{36}$/)]);
  });

  it('sends no Idempotency-Key to operations that do not take one', async () => {
    server.answers(answer(200, { dryRun: true, matched: 0, replayed: 0, deliveryIds: [] }));
    const herald = createHeraldClient({ baseUrl: server.url });
    await herald.replay({ dryRun: true });
    expect(server.received[0]?.headers['idempotency-key']).toBeUndefined();
  });
});

describe('retry delays', () => {
  it('waits at least the Retry-After, and at most 10% (up to a second) more', () => {
    expect(retryDelayMs(0, 2, { ...DEFAULT_RETRY, random: () => 0 })).toBe(2_000);
    expect(retryDelayMs(0, 2, { ...DEFAULT_RETRY, random: () => 0.999 })).toBeLessThanOrEqual(2_250);
    expect(retryDelayMs(0, 60, { ...DEFAULT_RETRY, random: () => 0.999 })).toBeLessThanOrEqual(61_000);
  });

  it('backs off exponentially with equal jitter, capped at maxDelayMs', () => {
    const at = (attempt: number, random: number) => retryDelayMs(attempt, undefined, { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000, random: () => random });
    expect([at(0, 0), at(1, 0), at(2, 0), at(5, 0)]).toEqual([50, 100, 200, 500]);
    expect([at(0, 0.999), at(5, 0.999)]).toEqual([100, 1_000]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});

describe('generated types', () => {
  it('hold a message to what its channels need (checked by the type checker)', () => {
    const sms: NorthRequest = { to: { phone: '+447700900123' }, channels: ['sms'], sms: { text: 'Hi' } };
    // @ts-expect-error an SMS needs to.phone
    const noPhone: NorthRequest = { to: { email: 'ada@example.com' }, channels: ['sms'], sms: { text: 'Hi' } };
    // @ts-expect-error an email needs a text or an HTML body
    const noBody: NorthRequest = { to: { email: 'ada@example.com' }, channels: ['email'], email: { subject: 'Hi' } };
    expect([sms, noPhone, noBody]).toHaveLength(3);
  });
});
