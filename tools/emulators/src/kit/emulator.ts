/**
 * The shared body of every provider emulator: a Fastify server on which the provider module
 * registers its API routes, the store of accepted messages, failure injection, receipts, and the
 * control API every emulator answers the same way:
 *
 *   GET    /_emulator/messages[?to=...]   { messages: [...] } accepted messages, oldest first
 *   GET    /_emulator/stats               { received, faultsInjected, receipts: {...} }
 *   POST   /_emulator/faults              { faults: Fault[] } queue faults (see faults.ts)
 *   DELETE /_emulator/faults              clear them
 *   POST   /_emulator/receipts            partial ReceiptSettings (see receipts.ts)
 *   POST   /_emulator/outage              { ms } refuse connections for ms (stop listening), then listen again
 *   POST   /_emulator/reset               forget messages, faults, receipt settings and stats
 *   GET    /_emulator/credentials         what a receiver needs to verify this emulator's callbacks
 *                                         (a public key, a signing key, a certificate), per provider
 *   GET    /healthz                       { status: 'ok', provider }
 *
 * Only for local runs and tests: it listens on loopback by default and keeps everything in memory.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { FaultQueue, type Fault } from './faults';
import { ReceiptDispatcher, type EmulatedOutcome, type ReceiptSettings, type RenderedReceipt } from './receipts';

export interface StoredMessage {
  /** The provider's id for it, as the API answered. */
  id: string;
  to: string;
  from: string | null;
  /** Email subject, or null for SMS. */
  subject: string | null;
  text: string | null;
  html: string | null;
  /** Provider-specific extras as the API received them (custom args, tags, metadata, headers). */
  extra: Record<string, unknown>;
  receivedAt: string;
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  /** Where receipts go (e.g. http://127.0.0.1:9004/providers/twilio/events); none: receipts are not sent. */
  callbackUrl?: string;
  /** Provider-specific settings (credentials the emulator accepts, signing keys...), from --key=value flags. */
  settings?: Record<string, string>;
  /** Most messages kept (oldest dropped). */
  maxMessages?: number;
  logger?: boolean;
}

export interface ProviderError {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  contentType?: string;
}

export interface SendFlow<R> {
  reply: FastifyReply;
  /** The recipient (what faults and outcome overrides match). */
  to: string;
  /**
   * Builds the message to store (after faults that refuse it). It may be async (e.g. handing the
   * request to a published emulator first) and may throw EmulatedRefusal to answer with the
   * provider's error instead (a request the provider refuses).
   */
  message: () => StoredMessage | Promise<StoredMessage>;
  /** The provider's answer to a fault that carries a status. */
  error: (fault: Fault) => ProviderError;
  /** The outcomes the provider reports for this recipient by default (its own test recipients). */
  defaultOutcomes: (to: string) => EmulatedOutcome[];
  /**
   * A callback URL the send call itself named (Twilio's StatusCallback, Vonage's callback), which
   * the provider uses instead of the account-wide one (the emulator's callbackUrl).
   */
  callbackUrl?: string;
  /** The signed callbacks for a stored message and its outcomes (called only when there is a callback URL). */
  receipts: (message: StoredMessage, outcomes: EmulatedOutcome[]) => RenderedReceipt[];
  /** The provider's success answer. */
  respond: (message: StoredMessage) => R;
  successStatus?: number;
}

/** Thrown from SendFlow.message() to answer with the provider's own error (nothing is stored). */
export class EmulatedRefusal extends Error {
  constructor(readonly answer: ProviderError) {
    super(`refused with ${answer.status}`);
    this.name = 'EmulatedRefusal';
  }
}

/** What a provider module supplies. */
export interface ProviderEmulator {
  readonly provider: string;
  readonly channel: 'email' | 'sms';
  /** Registers the provider's API routes (and body parsers) on the emulator's app. */
  register(emulator: Emulator): void | Promise<void>;
  /** What GET /_emulator/credentials answers (keys or certificates a receiver verifies callbacks with). */
  credentials?(): Record<string, unknown>;
  /** Releases what register() started (servers of its own). */
  close?(): Promise<void>;
}

export class Emulator {
  readonly app: FastifyInstance;
  readonly faults = new FaultQueue();
  readonly receipts = new ReceiptDispatcher();
  readonly messages: StoredMessage[] = [];
  received = 0;
  url = '';

  constructor(
    readonly provider: ProviderEmulator,
    readonly options: EmulatorOptions = {},
  ) {
    // forceCloseConnections: a stop does not wait for keep-alive clients or for delayed answers.
    this.app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });
    this.registerControl();
  }

  get callbackUrl(): string | undefined {
    return this.options.callbackUrl;
  }

  /** A provider-specific setting, or its default. */
  setting(name: string, fallback: string): string {
    return this.options.settings?.[name] ?? fallback;
  }

  /** Runs one send call the provider's way, with faults, storage, receipts and the answer. */
  async send<R>(flow: SendFlow<R>): Promise<FastifyReply | R | undefined> {
    const { reply } = flow;
    const fault = this.faults.take(flow.to);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.drop === 'before') {
      reply.hijack();
      reply.raw.destroy();
      return undefined;
    }
    if (fault?.status) {
      const e = flow.error(fault);
      const headers = { ...(e.headers ?? {}), ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }) };
      return reply.code(e.status).headers(headers).type(e.contentType ?? 'application/json').send(e.body);
    }
    let message: StoredMessage;
    try {
      message = await flow.message();
    } catch (error) {
      if (!(error instanceof EmulatedRefusal)) throw error;
      const e = error.answer;
      return reply.code(e.status).headers(e.headers ?? {}).type(e.contentType ?? 'application/json').send(e.body);
    }
    this.received += 1;
    this.messages.push(message);
    const max = this.options.maxMessages ?? 100_000;
    if (this.messages.length > max) this.messages.splice(0, this.messages.length - max);
    const outcomes = this.receipts.outcomesFor(message.to, flow.defaultOutcomes(message.to));
    const rendered = (flow.callbackUrl ?? this.callbackUrl) ? flow.receipts(message, outcomes) : [];
    const dispatched = this.receipts.dispatch(rendered);
    if (this.receipts.settings.beforeResponse) {
      await dispatched;
      if (this.receipts.settings.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.receipts.settings.answerDelayMs));
    }
    if (fault?.drop === 'after') {
      reply.hijack();
      reply.raw.destroy();
      return undefined;
    }
    return reply.code(flow.successStatus ?? 200).send(flow.respond(message));
  }

  private registerControl(): void {
    const app = this.app;
    app.get('/healthz', async () => ({ status: 'ok', provider: this.provider.provider }));
    app.get<{ Querystring: { to?: string } }>('/_emulator/messages', async (request) => ({
      messages: request.query.to ? this.messages.filter((m) => m.to === request.query.to) : this.messages,
    }));
    app.get('/_emulator/stats', async () => ({ received: this.received, faultsInjected: this.faults.injected, faultsPending: this.faults.pending.length, receipts: this.receipts.stats }));
    app.post<{ Body: { faults: Fault[] } }>('/_emulator/faults', async (request) => {
      this.faults.add(request.body.faults ?? []);
      return { pending: this.faults.pending };
    });
    app.delete('/_emulator/faults', async () => {
      this.faults.clear();
      return { pending: [] };
    });
    app.post<{ Body: Partial<ReceiptSettings> }>('/_emulator/receipts', async (request) => this.receipts.configure(request.body ?? {}));
    app.get('/_emulator/credentials', async () => ({ provider: this.provider.provider, ...(this.provider.credentials?.() ?? {}) }));
    // An outage: the emulator stops listening (connections are refused, as when a provider is
    // down), lets the calls in flight finish, and listens again on the same port after `ms`.
    app.post<{ Body: { ms: number } }>('/_emulator/outage', async (request) => {
      const ms = Math.max(1, Number(request.body?.ms) || 1_000);
      setImmediate(() => this.outage(ms));
      return { outageMs: ms };
    });
    app.post('/_emulator/reset', async () => {
      this.messages.length = 0;
      this.received = 0;
      this.faults.clear();
      this.faults.injected = 0;
      this.receipts.reset();
      return { reset: true };
    });
  }

  private outage(ms: number): void {
    const server = this.app.server;
    const address = server.address();
    if (!address || typeof address === 'string') return;
    server.close();
    server.closeIdleConnections();
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    setTimeout(() => {
      clearInterval(idle);
      server.listen(address.port, address.address);
    }, ms);
  }

  async start(): Promise<string> {
    await this.provider.register(this);
    this.url = await this.app.listen({ host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 0 });
    return this.url;
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.app.close();
    await this.provider.close?.();
  }
}
