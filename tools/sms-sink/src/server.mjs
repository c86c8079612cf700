// @ts-check
/**
 * Herald SMS sink: a small SMS gateway for local runs and tests, on node:http.
 *
 * Endpoints (JSON in and out):
 *   POST   /messages        send { to, text, from?, reference? } (+ optional Idempotency-Key header)
 *                           201 { id, status: 'accepted' }; 200 same body for a repeated
 *                           Idempotency-Key (nothing stored); 422 when a known key comes with a
 *                           different to/text; 400 invalid request; injected failures as configured
 *   GET    /messages        { messages: [...] } oldest first; filters ?to= ?reference= ?idempotencyKey=
 *   GET    /messages/:id    one message, 404 when unknown
 *   DELETE /messages        forget all messages, idempotency keys and stats (not the /control mode)
 *   GET    /stats           { received, duplicatesSuppressed, rejected, failedInjected, stored }
 *   POST   /control         { mode: 'ok' } | { mode: 'fail', status: 503|429|500|400, count?, retryAfter? },
 *                           optional latencyMs; answers the resulting control state
 *   GET    /control         the current control state
 *   GET    /healthz         { status: 'ok', service: 'herald-sms-sink' }
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_TEXT_CHARS = 1600;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const FAIL_STATUSES = new Set([400, 429, 500, 503]);

/**
 * @typedef {object} SmsMessage
 * @property {string} id
 * @property {string} to
 * @property {string} text
 * @property {string | null} from
 * @property {string | null} reference
 * @property {string | null} idempotencyKey
 * @property {string} receivedAt ISO 8601
 */

/**
 * @typedef {object} ControlState
 * @property {'ok' | 'fail'} mode
 * @property {number | null} status HTTP status of injected failures
 * @property {number | null} remaining failures left to inject (null: until mode ok)
 * @property {number | null} retryAfter seconds, sent as Retry-After on injected failures
 * @property {number} latencyMs delay added before answering POST /messages
 */

/**
 * @typedef {object} SmsSinkOptions
 * @property {string} [host] default SMS_SINK_HOST or 127.0.0.1
 * @property {number} [port] default SMS_SINK_PORT or 9025; 0 picks a free port
 * @property {number} [maxMessages] default SMS_SINK_MAX_MESSAGES or 100000; oldest dropped beyond it
 * @property {((entry: Record<string, unknown>) => void) | false} [log] one JSON object per request;
 *   default writes a JSON line to stdout; false disables
 */

/**
 * @typedef {object} SmsSink
 * @property {string} url e.g. http://127.0.0.1:9025
 * @property {string} host
 * @property {number} port the bound port
 * @property {http.Server} server
 * @property {() => Promise<void>} close stops listening and closes open connections
 */

class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Start an SMS sink.
 * @param {SmsSinkOptions} [options]
 * @returns {Promise<SmsSink>}
 */
export async function createSmsSink({
  host = process.env.SMS_SINK_HOST || '127.0.0.1',
  port = process.env.SMS_SINK_PORT ? Number(process.env.SMS_SINK_PORT) : 9025,
  maxMessages = process.env.SMS_SINK_MAX_MESSAGES ? Number(process.env.SMS_SINK_MAX_MESSAGES) : 100_000,
  log = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`),
} = {}) {
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new Error(`maxMessages must be a positive integer, got ${maxMessages}`);

  /** @type {Map<string, SmsMessage>} insertion order = arrival order */
  const messages = new Map();
  /** @type {Map<string, string>} idempotency key -> message id */
  const byKey = new Map();
  const stats = { received: 0, duplicatesSuppressed: 0, rejected: 0, failedInjected: 0 };
  /** @type {ControlState} */
  let control = { mode: 'ok', status: null, remaining: null, retryAfter: null, latencyMs: 0 };

  /** @param {SmsMessage} msg */
  function store(msg) {
    messages.set(msg.id, msg);
    if (msg.idempotencyKey !== null) byKey.set(msg.idempotencyKey, msg.id);
    while (messages.size > maxMessages) {
      const oldest = /** @type {SmsMessage} */ (messages.values().next().value);
      messages.delete(oldest.id);
      if (oldest.idempotencyKey !== null && byKey.get(oldest.idempotencyKey) === oldest.id) byKey.delete(oldest.idempotencyKey);
    }
  }

  /**
   * @param {http.IncomingMessage} req
   * @returns {Promise<unknown>}
   */
  async function readJson(req) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(400, 'unsupported_content_type', 'Content-Type must be application/json');
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      throw new HttpError(400, 'body_too_large', `body must be at most ${MAX_BODY_BYTES} bytes`);
    }
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new HttpError(400, 'body_too_large', `body must be at most ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'body is not valid JSON');
    }
  }

  /**
   * @param {unknown} body
   * @param {string | null} idempotencyKey
   * @returns {{ to: string, text: string, from: string | null, reference: string | null }}
   */
  function validateMessage(body, idempotencyKey) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'invalid_request', 'body must be a JSON object');
    }
    const b = /** @type {Record<string, unknown>} */ (body);
    if (typeof b.to !== 'string' || !E164.test(b.to)) {
      throw new HttpError(400, 'invalid_to', 'to must be an E.164 phone number like +447700900123');
    }
    if (typeof b.text !== 'string' || b.text.length === 0) {
      throw new HttpError(400, 'invalid_text', 'text must be a non-empty string');
    }
    if (b.text.length > MAX_TEXT_CHARS) {
      throw new HttpError(400, 'invalid_text', `text must be at most ${MAX_TEXT_CHARS} characters`);
    }
    if (b.from !== undefined && b.from !== null && (typeof b.from !== 'string' || b.from.length === 0 || b.from.length > 64)) {
      throw new HttpError(400, 'invalid_from', 'from, when given, must be a string of 1 to 64 characters');
    }
    if (b.reference !== undefined && b.reference !== null && (typeof b.reference !== 'string' || b.reference.length > 256)) {
      throw new HttpError(400, 'invalid_reference', 'reference, when given, must be a string of at most 256 characters');
    }
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > 255)) {
      throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
    }
    return {
      to: b.to,
      text: b.text,
      from: typeof b.from === 'string' ? b.from : null,
      reference: typeof b.reference === 'string' ? b.reference : null,
    };
  }

  /**
   * @param {unknown} body
   * @returns {ControlState}
   */
  function applyControl(body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'invalid_request', 'body must be a JSON object');
    }
    const b = /** @type {Record<string, unknown>} */ (body);
    /** @type {ControlState} */
    const next = { ...control };
    if (b.latencyMs !== undefined) {
      if (!Number.isInteger(b.latencyMs) || /** @type {number} */ (b.latencyMs) < 0 || /** @type {number} */ (b.latencyMs) > 60_000) {
        throw new HttpError(400, 'invalid_latency', 'latencyMs must be an integer from 0 to 60000');
      }
      next.latencyMs = /** @type {number} */ (b.latencyMs);
    }
    if (b.mode === 'ok') {
      next.mode = 'ok';
      next.status = null;
      next.remaining = null;
      next.retryAfter = null;
      if (b.latencyMs === undefined) next.latencyMs = 0;
    } else if (b.mode === 'fail') {
      if (typeof b.status !== 'number' || !FAIL_STATUSES.has(b.status)) {
        throw new HttpError(400, 'invalid_status', 'status must be one of 503, 429, 500, 400');
      }
      if (b.count !== undefined && b.count !== null && (!Number.isInteger(b.count) || /** @type {number} */ (b.count) < 1)) {
        throw new HttpError(400, 'invalid_count', 'count, when given, must be a positive integer');
      }
      if (b.retryAfter !== undefined && b.retryAfter !== null && (!Number.isInteger(b.retryAfter) || /** @type {number} */ (b.retryAfter) < 0)) {
        throw new HttpError(400, 'invalid_retry_after', 'retryAfter, when given, must be a non-negative integer (seconds)');
      }
      next.mode = 'fail';
      next.status = b.status;
      next.remaining = typeof b.count === 'number' ? b.count : null;
      next.retryAfter = typeof b.retryAfter === 'number' ? b.retryAfter : null;
    } else if (b.mode !== undefined) {
      throw new HttpError(400, 'invalid_mode', "mode must be 'ok' or 'fail'");
    } else if (b.latencyMs === undefined) {
      throw new HttpError(400, 'invalid_request', 'give mode and/or latencyMs');
    }
    control = next;
    return control;
  }

  /**
   * Takes one injected failure if one is due.
   * @returns {{ status: number, retryAfter: number | null } | null}
   */
  function takeInjectedFailure() {
    if (control.mode !== 'fail' || control.status === null) return null;
    const failure = { status: control.status, retryAfter: control.retryAfter };
    if (control.remaining !== null) {
      control.remaining -= 1;
      if (control.remaining <= 0) control = { ...control, mode: 'ok', status: null, remaining: null, retryAfter: null };
    }
    return failure;
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {URL} url
   * @param {Record<string, unknown>} logEntry
   * @returns {Promise<{ status: number, body: unknown, headers?: Record<string, string> }>}
   */
  async function route(req, url, logEntry) {
    const method = req.method ?? 'GET';
    const p = url.pathname.replace(/\/+$/, '') || '/';

    if (p === '/messages') {
      if (method === 'POST') {
        let body;
        let input;
        const keyHeader = req.headers['idempotency-key'];
        const idempotencyKey = typeof keyHeader === 'string' ? keyHeader : null;
        try {
          body = await readJson(req);
          input = validateMessage(body, idempotencyKey);
        } catch (err) {
          stats.rejected += 1;
          throw err;
        }
        logEntry.to = input.to;
        if (input.reference !== null) logEntry.reference = input.reference;
        if (idempotencyKey !== null) logEntry.idempotencyKey = idempotencyKey;
        if (control.latencyMs > 0) await sleep(control.latencyMs);

        const failure = takeInjectedFailure();
        if (failure) {
          stats.failedInjected += 1;
          logEntry.injected = true;
          /** @type {Record<string, string>} */
          const headers = {};
          if (failure.retryAfter !== null) headers['retry-after'] = String(failure.retryAfter);
          return {
            status: failure.status,
            headers,
            body: { error: 'injected_failure', message: `failure injected by /control (status ${failure.status})` },
          };
        }

        if (idempotencyKey !== null) {
          const knownId = byKey.get(idempotencyKey);
          const known = knownId === undefined ? undefined : messages.get(knownId);
          if (known) {
            if (known.to !== input.to || known.text !== input.text) {
              stats.rejected += 1;
              throw new HttpError(
                422,
                'idempotency_key_reused',
                `Idempotency-Key ${JSON.stringify(idempotencyKey)} was already used for a different message (${known.id})`,
              );
            }
            stats.duplicatesSuppressed += 1;
            logEntry.id = known.id;
            logEntry.duplicate = true;
            return { status: 200, body: { id: known.id, status: 'accepted' } };
          }
        }

        /** @type {SmsMessage} */
        const msg = {
          id: `sms_${randomUUID()}`,
          to: input.to,
          text: input.text,
          from: input.from,
          reference: input.reference,
          idempotencyKey,
          receivedAt: new Date().toISOString(),
        };
        store(msg);
        stats.received += 1;
        logEntry.id = msg.id;
        return { status: 201, headers: { location: `/messages/${msg.id}` }, body: { id: msg.id, status: 'accepted' } };
      }
      if (method === 'GET' || method === 'HEAD') {
        // '+' in a query string decodes to ' '; accept ?to=+4477... as well as ?to=%2B4477...
        const to = url.searchParams.get('to')?.replace(/^ /, '+');
        const reference = url.searchParams.get('reference');
        const idempotencyKey = url.searchParams.get('idempotencyKey');
        let list = [...messages.values()];
        if (to) list = list.filter((m) => m.to === to);
        if (reference !== null) list = list.filter((m) => m.reference === reference);
        if (idempotencyKey !== null) list = list.filter((m) => m.idempotencyKey === idempotencyKey);
        return { status: 200, body: { messages: list } };
      }
      if (method === 'DELETE') {
        const cleared = messages.size;
        messages.clear();
        byKey.clear();
        stats.received = 0;
        stats.duplicatesSuppressed = 0;
        stats.rejected = 0;
        stats.failedInjected = 0;
        return { status: 200, body: { cleared } };
      }
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on /messages`);
    }

    const one = /^\/messages\/([^/]+)$/.exec(p);
    if (one) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
      const msg = messages.get(decodeURIComponent(one[1] ?? ''));
      if (!msg) throw new HttpError(404, 'not_found', `no message ${one[1]}`);
      return { status: 200, body: msg };
    }

    if (p === '/stats') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
      return { status: 200, body: { ...stats, stored: messages.size } };
    }

    if (p === '/control') {
      if (method === 'GET' || method === 'HEAD') return { status: 200, body: control };
      if (method === 'POST') {
        const state = applyControl(await readJson(req));
        logEntry.control = state;
        return { status: 200, body: state };
      }
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
    }

    if (p === '/healthz') {
      return { status: 200, body: { status: 'ok', service: 'herald-sms-sink' } };
    }

    throw new HttpError(404, 'not_found', `no route for ${method} ${url.pathname}`);
  }

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://sink.local');
    /** @type {Record<string, unknown>} */
    const logEntry = { time: new Date().toISOString(), method: req.method, path: url.pathname };
    if (url.search) logEntry.query = url.search;

    /**
     * @param {number} status
     * @param {unknown} body
     * @param {Record<string, string>} [headers]
     */
    const send = (status, body, headers = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      logEntry.status = status;
      logEntry.durationMs = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
      if (log) log(logEntry);
    };

    route(req, url, logEntry).then(
      (result) => send(result.status, result.body, result.headers),
      (err) => {
        if (err instanceof HttpError) {
          logEntry.error = err.code;
          // Stop reading an oversized or unread body; close the connection after answering.
          /** @type {Record<string, string>} */
          const headers = req.complete ? {} : { connection: 'close' };
          send(err.status, { error: err.code, message: err.message }, headers);
        } else {
          logEntry.error = String(err?.stack ?? err);
          send(500, { error: 'internal_error', message: String(err?.message ?? err) });
        }
      },
    );
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
