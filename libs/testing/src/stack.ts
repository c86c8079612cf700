/**
 * HeraldStack: a whole Herald for one test, isolated by name: its own database (cloned from the
 * migrated template), topic namespace, BullMQ prefix, MailDev and SMS sink, and the services as
 * real processes built from apps/<name>/dist (several instances of an app where asked). For
 * failure tests it can also run a Redis and a Kafka broker of its own, which the test may stop and
 * start. stop() tears all of it down.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { MessageView, NorthAccepted, NorthRequest } from '@herald/contracts';
import { deleteTopics, ensureTopics, heraldTopicSpecs } from '@herald/kafka';
import { createRedis } from '@herald/queues';
import { waitFor } from '@herald/process';
import { createLogger } from '@herald/runtime';
import { createTestDatabase, type TestDatabase } from '@herald/tracking/testing';
import { apiClientFor, postNorth, readMessage } from './api-client';
import { repoRoot, testConfig } from './config';
import { uniqueName } from './names';
import { testKafka } from './kafka';
import { freePort } from '@herald/process';
import { ManagedProcess } from './process';
import { startEmulator, type RunningEmulator } from './emulators';
import { emulatorCallbackUrl, providerWiring, type EmailProviderName, type EmulatedProvider, type SmsProviderName } from './provider-wiring';
import { backingServices, type BackingServices } from './services';
import { startMaildev, startSmsSink, type Maildev, type SmsSink } from './sinks';

const run = promisify(execFile);

export const APPS = ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'receipts-api', 'webhook-worker'] as const;

/** The pipeline's own services: what a stack runs unless told otherwise (the receipts-api only when a provider reports receipts). */
export const CORE_APPS = ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker'] as const;
export type CoreAppName = (typeof CORE_APPS)[number];
const DEFAULT_APPS: readonly AppName[] = CORE_APPS;
export type AppName = (typeof APPS)[number];

export interface StackOptions {
  /** Names the log folder: tmp/test-logs/<name>. */
  name: string;
  apps?: readonly AppName[];
  /** Instances per app (default 1). */
  replicas?: Partial<Record<AppName, number>>;
  /** Extra environment per app (overrides the stack's). */
  env?: Partial<Record<AppName, Record<string, string>>>;
  webConcurrency?: number;
  partitions?: number;
  /** A Redis of the stack's own (no persistence), which the test may restart. */
  ownRedis?: boolean;
  /** A Kafka broker of the stack's own, which the test may restart. */
  ownKafka?: boolean;
  /** MailDev and the SMS sink (default true); off for callers that bring their own receivers. */
  sinks?: boolean;
  /**
   * Providers other than SMTP and the HTTP gateway: the stack starts their emulators, points the
   * workers at them, and runs the receipts-api with their receipt verification.
   */
  providers?: { email?: EmailProviderName | readonly EmailProviderName[]; sms?: SmsProviderName | readonly SmsProviderName[] };
  /** More API clients than the stack's own (e2e): each gets a key (stack.keyOf(name)). */
  apiClients?: readonly string[];
  /** Settings for the emulators (--set key=value), per provider. */
  emulatorSettings?: Partial<Record<EmulatedProvider, Record<string, string>>>;
}

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

const silent = createLogger({ service: 'test-harness', level: 'silent' });

/** Whether a Redis server answers PING at this URL (one short-lived connection). */
async function redisAnswers(url: string): Promise<boolean> {
  const redis = createRedis(url, 'request', silent);
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A Redis server run by the test. */
export class OwnRedis {
  readonly process: ManagedProcess;
  constructor(readonly port: number, logGroup: string) {
    this.process = new ManagedProcess({
      name: `redis-${port}`,
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      env: {},
      readyCheck: () => redisAnswers(`redis://127.0.0.1:${port}`),
      logGroup,
    });
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

/** A Kafka broker run by the test (through the platform tooling, data under .local/kafka-<port>). */
export class OwnKafka {
  constructor(
    readonly port: number,
    readonly controllerPort: number,
  ) {}
  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }
  private cli(...args: string[]) {
    return run(process.execPath, [join(repoRoot, 'tools/platform/src/kafka-cli.mjs'), ...args, '--port', String(this.port), '--controller-port', String(this.controllerPort)], {
      timeout: 120_000,
    });
  }
  async start(): Promise<void> {
    await this.cli('start');
  }
  /** Stops the broker (SIGTERM, a clean shutdown; `kill`: SIGKILL). */
  async stop(kill = false): Promise<void> {
    await this.cli('stop', ...(kill ? ['--kill'] : []));
  }
  async purge(): Promise<void> {
    await this.cli('purge');
  }
}

export class HeraldStack {
  readonly apps = new Map<string, ManagedProcess>();
  /** The provider emulators the stack started, by provider. */
  readonly emulators = new Map<EmulatedProvider, RunningEmulator>();
  ingestUrl = '';
  receiptsUrl = '';
  /** The API key of the stack's one API client (ingest-api runs with authentication on, as in production). */
  readonly apiKey = `key-${randomBytes(16).toString('hex')}`;
  readonly apiClient = 'e2e';
  /** WEBHOOK_SECRETS_KEY of the stack (the ingest-api seals webhook secrets with it, the webhook-worker opens them). */
  readonly webhookSecretsKey = randomBytes(32).toString('base64');

  private constructor(
    readonly name: string,
    readonly services: BackingServices,
    readonly database: TestDatabase,
    readonly topicPrefix: string,
    readonly queuePrefix: string,
    private readonly sinks: { maildev: Maildev; sms: SmsSink } | undefined,
    readonly kafkaBrokers: string[],
    readonly redisUrl: string,
    readonly ownRedis: OwnRedis | undefined,
    readonly ownKafka: OwnKafka | undefined,
  ) {}

  get maildev(): Maildev {
    if (!this.sinks) throw new Error(`stack ${this.name} was started without sinks`);
    return this.sinks.maildev;
  }

  get sms(): SmsSink {
    if (!this.sinks) throw new Error(`stack ${this.name} was started without sinks`);
    return this.sinks.sms;
  }

  static async start(options: StackOptions): Promise<HeraldStack> {
    const services = await backingServices();
    const id = uniqueName('t');
    const topicPrefix = id;
    const queuePrefix = `herald-${id}`;

    const ownRedis = options.ownRedis ? new OwnRedis(await freePort(), options.name) : undefined;
    const ownKafka = options.ownKafka ? new OwnKafka(await freePort(), await freePort()) : undefined;
    await Promise.all([ownRedis?.process.start(), ownKafka?.start()]);
    const kafkaBrokers = ownKafka?.brokers ?? services.kafkaBrokers;
    const redisUrl = ownRedis?.url ?? services.redisUrl;

    const kafka = testKafka(kafkaBrokers);
    const startSinks = () =>
      options.sinks === false ? undefined : Promise.all([startMaildev(options.name), startSmsSink(options.name)]).then(([maildev, sms]) => ({ maildev, sms }));
    const [database, sinks] = await Promise.all([
      createTestDatabase({ adminUrl: services.databaseAdminUrl, template: services.databaseTemplate }),
      startSinks(),
      ensureTopics(kafka, heraldTopicSpecs(topicPrefix, options.partitions ?? 3)),
    ]);
    const stack = new HeraldStack(options.name, services, database, topicPrefix, queuePrefix, sinks, kafkaBrokers, redisUrl, ownRedis, ownKafka);
    // Emulated providers: started first (the workers and the receipts-api need their settings).
    const receiptsPort = await freePort();
    stack.receiptsUrl = `http://127.0.0.1:${receiptsPort}`;
    const wired = { email: {} as Record<string, string>, sms: {} as Record<string, string>, receipts: {} as Record<string, string> };
    const receiptProviders: string[] = [];
    const list = <T extends string>(p: T | readonly T[] | undefined): T[] => (p === undefined ? [] : typeof p === 'string' ? [p] : [...p]);
    const emailProviders = list(options.providers?.email);
    const smsProviders = list(options.providers?.sms);
    if (emailProviders.length) wired.email['EMAIL_PROVIDERS'] = emailProviders.join(',');
    if (smsProviders.length) wired.sms['SMS_PROVIDERS'] = smsProviders.join(',');
    const emulated = [...emailProviders, ...smsProviders].filter((p): p is EmulatedProvider => p !== 'smtp' && p !== 'http');
    const scratch = join(repoRoot, testConfig().HERALD_TEST_LOG_DIR, options.name);
    mkdirSync(scratch, { recursive: true });
    try {
      for (const provider of emulated) {
        const callbackUrl = emulatorCallbackUrl(provider, stack.receiptsUrl);
        const emulator = await startEmulator(provider, { logGroup: options.name, ...(callbackUrl ? { callbackUrl } : {}), ...(options.emulatorSettings?.[provider] ? { settings: options.emulatorSettings[provider] } : {}) });
        stack.emulators.set(provider, emulator);
        const wiring = await providerWiring(provider, emulator.url, emulator.client, stack.receiptsUrl, scratch);
        Object.assign((emailProviders as string[]).includes(provider) ? wired.email : wired.sms, wiring.worker);
        Object.assign(wired.receipts, wiring.receipts);
        if (wiring.hasReceipts) receiptProviders.push(provider);
      }
    } catch (error) {
      await stack.stop();
      throw error;
    }
    const apps = options.apps ?? (receiptProviders.length ? [...DEFAULT_APPS, 'receipts-api' as const] : DEFAULT_APPS);
    const common: Record<string, string> = {
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      SHUTDOWN_GRACE_MS: '15000',
    };
    for (const app of apps) {
      const count = options.replicas?.[app] ?? 1;
      for (let i = 1; i <= count; i += 1) {
        const port = app === 'receipts-api' && i === 1 ? receiptsPort : await freePort();
        // Rate limits off unless a test sets them: failure tests and the bench offer more than the
        // default per-client rate on purpose (the abuse suite tests the limits).
        const own: Record<string, string> =
          app === 'ingest-api'
            ? {
                PORT: String(port),
                HOST: '127.0.0.1',
                WEB_CONCURRENCY: String(options.webConcurrency ?? 1),
                API_KEYS: [`${stack.apiClient}:${stack.apiKey}`, ...(options.apiClients ?? []).map((c) => `${c}:${stack.keyOf(c)}`)].join(','),
                RATE_LIMIT_PER_CLIENT: '0',
                RATE_LIMIT_GLOBAL: '0',
                REDIS_PREFIX: queuePrefix,
                WEBHOOK_SECRETS_KEY: stack.webhookSecretsKey,
              }
            : app === 'email-worker'
              ? { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1', ...(sinks ? { SMTP_URL: sinks.maildev.smtpUrl, SMTP_TIMEOUT_MS: '5000', EMAIL_LOOKUP_URL: sinks.maildev.client.webUrl } : {}), ...wired.email }
              : app === 'sms-worker'
                ? { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1', ...(sinks ? { SMS_PROVIDER_URL: sinks.sms.url } : {}), ...wired.sms }
                : app === 'receipts-api'
                  ? { PORT: String(port), HOST: '127.0.0.1', RECEIPTS_PUBLIC_URL: stack.receiptsUrl, RECEIPT_PROVIDERS: receiptProviders.join(','), ...wired.receipts }
                  : app === 'webhook-worker'
                    ? { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1', WEBHOOK_SECRETS_KEY: stack.webhookSecretsKey }
                    : { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' };
        const name = i === 1 ? app : `${app}-${i}`;
        const process = new ManagedProcess({
          name,
          args: [join(repoRoot, 'apps', app, 'dist', 'main.js')],
          env: { ...common, ...own, ...(options.env?.[app] ?? {}) },
          readyUrl: `http://127.0.0.1:${port}/readyz`,
          logGroup: options.name,
        });
        stack.apps.set(name, process);
        if (name === 'ingest-api') stack.ingestUrl = `http://127.0.0.1:${port}`;
      }
    }
    try {
      await Promise.all([...stack.apps.values()].map((p) => p.start()));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** One instance by name: "email-worker", "email-worker-2", ... */
  app(name: string): ManagedProcess {
    const process = this.apps.get(name);
    if (!process) throw new Error(`${name} is not part of this stack`);
    return process;
  }

  /** Every instance of an app. */
  instances(app: AppName): ManagedProcess[] {
    return [...this.apps.entries()].filter(([name]) => name === app || name.startsWith(`${app}-`)).map(([, p]) => p);
  }

  /** The API key of one of the stack's extra API clients (StackOptions.apiClients). */
  keyOf(client: string): string {
    return `key-${client}-${this.apiKey.slice(4, 20)}`;
  }

  /** The Authorization header of the stack's API client. */
  get authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}` };
  }

  /** POST /v1/North through @herald/client; T is the body expected (NorthAccepted, or Problem for a refusal). */
  async post<T = NorthAccepted>(body: NorthRequest | unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return postNorth<T>(apiClientFor(this.ingestUrl, this.apiKey), body, headers);
  }

  /** A call to the stack's API as its client: method, path (e.g. /v1/webhooks) and a JSON body. */
  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const response = await fetch(`${this.ingestUrl}${path}`, {
      method,
      headers: { ...this.authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async message(id: string): Promise<MessageView | null> {
    return readMessage(apiClientFor(this.ingestUrl, this.apiKey), id);
  }

  /** Waits until every delivery of the message satisfies `done` (default: sent). */
  async waitForMessage(id: string, done: (m: MessageView) => boolean = (m) => m.deliveries.length > 0 && m.deliveries.every((d) => d.status === 'sent'), timeoutMs = 30_000): Promise<MessageView> {
    return waitFor(`message ${id} to reach the expected state`, async () => {
      const message = await this.message(id);
      return message && done(message) ? message : undefined;
    }, { timeoutMs, intervalMs: 200 });
  }

  /** A query on the stack's tracking database (for counting what became of a run). */
  async sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.database.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** Deliveries of these messages by status. */
  async statusCounts(messageIds: string[]): Promise<Record<string, number>> {
    const rows = await this.sql<{ status: string; n: string }>('SELECT status, count(*) AS n FROM deliveries WHERE message_id = ANY($1::uuid[]) GROUP BY status', [messageIds]);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** The emulator of a provider the stack runs. */
  emulator(provider: EmulatedProvider): RunningEmulator {
    const emulator = this.emulators.get(provider);
    if (!emulator) throw new Error(`stack ${this.name} runs no ${provider} emulator`);
    return emulator;
  }

  /** Stops everything the stack started and removes its database, topics and Redis keys. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.apps.values()].map((p) => p.stop()));
    await Promise.allSettled([...this.emulators.values()].map((e) => e.process.stop()));
    if (this.sinks) await Promise.allSettled([this.sinks.maildev.process.stop(), this.sinks.sms.process.stop()]);
    const kafka = testKafka(this.kafkaBrokers);
    await Promise.allSettled([
      this.database.drop(),
      this.ownKafka ? this.ownKafka.purge() : deleteTopics(kafka, heraldTopicSpecs(this.topicPrefix).map((t) => t.topic)),
      this.ownRedis ? this.ownRedis.process.stop() : deleteRedisKeys(this.redisUrl, `${this.queuePrefix}:*`),
    ]);
  }
}

/** Deletes the keys matching `pattern` (SCAN, never KEYS). */
export async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = createRedis(redisUrl, 'worker', silent);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return deleted;
}
