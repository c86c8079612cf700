/**
 * The Herald API client. `createHeraldClient({ baseUrl, apiKey })` gives:
 * - `api`: every operation of the API, typed from its OpenAPI document (openapi-fetch):
 *   `api.POST('/v1/North', { body })` answers `{ data, error, response }`;
 * - methods for the common calls that answer the data or throw a HeraldApiError: sendMessage,
 *   getMessage, findMessage, replay; and `unwrap()` to do the same with any `api` call.
 * Every request carries `Authorization: Bearer <apiKey>`; every call of an operation that takes
 * an Idempotency-Key gets one (a new UUID unless you give yours), before the retries, so that a
 * retried POST is never accepted twice; 429 and 503 are retried as retry.ts says.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { HeraldApiError } from './errors';
import type { paths } from './generated/schema';
import { idempotentOperations } from './generated/operations';
import { DEFAULT_RETRY, retryingFetch, type RetryOptions } from './retry';
import type { MessageView, NorthAccepted, NorthRequest, ReplayAnswer, ReplayRequest } from './types';

export interface HeraldClientOptions {
  /** Where the API is, e.g. https://herald.example.com or http://localhost:9000. */
  baseUrl: string;
  /** Your API client's key, sent as `Authorization: Bearer <key>` (omit for a deployment with AUTH_DISABLED). */
  apiKey?: string;
  /** Retries on 429 and 503 (see RetryOptions); false: none. */
  retry?: Partial<RetryOptions> | false;
  /** The fetch that sends each attempt (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Headers sent with every request (e.g. a User-Agent of yours). */
  headers?: Record<string, string>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface SendOptions extends CallOptions {
  /** Your key for this message (1 to 255 visible ASCII characters); default: a new UUID per call. Reuse it to retry the same message later. */
  idempotencyKey?: string;
}

/** What POST /v1/North answered, with what a caller needs to retry or find the message. */
export interface SentMessage extends NorthAccepted {
  /** The Idempotency-Key the message was sent with (yours, or the one the client made). */
  idempotencyKey: string;
  /** True when the server answered with the 202 it gave earlier for this key (nothing new was sent). */
  replayed: boolean;
  /** Where the message can be read (/v1/messages/{id}). */
  location: string | undefined;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Gives each call of an operation that takes an Idempotency-Key a key of its own, unless the caller gave one. */
const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (!idempotentOperations.has(`${request.method} ${schemaPath}`) || request.headers.has('idempotency-key')) return undefined;
    request.headers.set('idempotency-key', crypto.randomUUID());
    return request;
  },
};

export class HeraldClient {
  /** Every operation of the API, typed (openapi-fetch). */
  readonly api: Client<paths>;

  constructor(options: HeraldClientOptions) {
    const send: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
    const retry = options.retry === false ? undefined : { ...DEFAULT_RETRY, ...options.retry };
    this.api = createClient<paths>({
      baseUrl: options.baseUrl,
      headers: { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      // openapi-fetch calls this with the Request (after the middleware); globalThis.fetch is
      // looked up at each call, so that a fetch replaced later (instrumentation) is used.
      fetch: retry ? retryingFetch(send, retry) : send,
    });
    this.api.use(idempotencyKeys);
  }

  /** The data of a successful `api` call; a HeraldApiError for any other answer. */
  async unwrap<T>(call: Promise<Result<T>> | Result<T>): Promise<T> {
    const { data, error, response } = await call;
    if (!response.ok) throw HeraldApiError.from(response, error);
    return data as T;
  }

  /** POST /v1/North: sends a message; answers once Herald has it (202). */
  async sendMessage(message: NorthRequest, options: SendOptions = {}): Promise<SentMessage> {
    // The key is made here rather than by the middleware, so that the caller learns it.
    const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
    const result = await this.api.POST('/v1/North', {
      body: message,
      params: { header: { 'idempotency-key': idempotencyKey } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const accepted = await this.unwrap(result);
    return {
      ...accepted,
      idempotencyKey,
      replayed: result.response.headers.get('idempotent-replayed') === 'true',
      location: result.response.headers.get('location') ?? undefined,
    };
  }

  /** GET /v1/messages/{id}: the message and each delivery; a HeraldApiError (404) for an unknown id. */
  async getMessage(id: string, options: CallOptions = {}): Promise<MessageView> {
    return this.unwrap(this.api.GET('/v1/messages/{id}', { params: { path: { id } }, ...(options.signal ? { signal: options.signal } : {}) }));
  }

  /** Like getMessage, but undefined for an unknown id (right after a 202, "not yet"). */
  async findMessage(id: string, options: CallOptions = {}): Promise<MessageView | undefined> {
    try {
      return await this.getMessage(id, options);
    } catch (error) {
      if (error instanceof HeraldApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** POST /v1/replays: delivers failed deliveries again (dryRun: only counts them). */
  async replay(request: ReplayRequest, options: CallOptions = {}): Promise<ReplayAnswer> {
    return this.unwrap(this.api.POST('/v1/replays', { body: request, ...(options.signal ? { signal: options.signal } : {}) }));
  }
}

export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  return new HeraldClient(options);
}
