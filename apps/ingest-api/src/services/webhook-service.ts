/**
 * WebhookService: what /v1/webhooks does, per API client. Registration checks the target (the URL
 * rules, then every address its host resolves to), makes the signing secret, seals it under
 * WEBHOOK_SECRETS_KEY and shows it once; rotation keeps the previous secret signing for
 * SECRET_OVERLAP_MS. Tests and replays become WebhookQueue jobs, sent by the webhook-worker like
 * any event (same signing, same retries, same records). Without a secrets key (WEBHOOK_SECRETS_KEY
 * empty) every operation answers 503.
 */
import {
  JOB_VERSION,
  WEBHOOK_ENDPOINTS_MAX,
  WEBHOOK_SCHEMA_VERSION,
  WEBHOOK_TEST_TYPE,
  newMessageId,
  type FieldError,
  type WebhookAttemptStatus,
  type WebhookAttemptView,
  type WebhookCreateRequest,
  type WebhookCreated,
  type WebhookEndpointView,
  type WebhookJob,
  type WebhookReplayAnswer,
  type WebhookReplayRequest,
  type WebhookSecretRotated,
  type WebhookUpdateRequest,
} from '@herald/contracts';
import type { WebhookAttemptRecord, WebhookEndpointRecord, WebhookRepository } from '@herald/tracking';
import { SecretBox, TargetRefusedError, checkTargetUrl, newSigningSecret, replayJobId, resolveTarget, testWebhookId, type LookupAll, type TargetRules } from '@herald/webhooks';
import { problems } from '../errors';

/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/** What the service needs of the WebhookQueue. */
export interface WebhookJobSink {
  add(jobs: ReadonlyArray<{ jobId: string; data: WebhookJob }>): Promise<void>;
}

export interface WebhookServiceOptions {
  repository: WebhookRepository;
  /** WEBHOOK_SECRETS_KEY; empty: webhooks are not available. */
  secretsKey: string;
  rules: TargetRules;
  jobs: WebhookJobSink;
  /** Resolves a host to every address (createLookupAll: the system resolver or WEBHOOK_DNS_SERVERS). */
  lookup: LookupAll;
}

export function endpointView(r: WebhookEndpointRecord): WebhookEndpointView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.eventTypes,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    disabledReason: r.disabledReason,
    failingSince: r.failingSince?.toISOString() ?? null,
  };
}

export function attemptView(r: WebhookAttemptRecord): WebhookAttemptView {
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventType: r.eventType,
    messageId: r.messageId,
    deliveryId: r.deliveryId,
    attempt: r.attempt,
    status: r.status,
    responseStatus: r.responseStatus,
    error: r.error,
    response: r.response,
    durationMs: r.durationMs,
    nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
    replayOf: r.replayOf,
    at: r.at.toISOString(),
  };
}

export class WebhookService {
  private readonly box: SecretBox | undefined;
  private readonly repository: WebhookRepository;
  private readonly lookup: LookupAll;

  constructor(private readonly options: WebhookServiceOptions) {
    this.repository = options.repository;
    this.box = options.secretsKey ? new SecretBox(options.secretsKey) : undefined;
    this.lookup = options.lookup;
  }

  private sealer(): SecretBox {
    if (!this.box) throw problems.webhooksUnavailable();
    return this.box;
  }

  /** Refuses a target that breaks the URL rules or resolves to an address Herald will not call. */
  async checkTarget(url: string, field = '/url'): Promise<void> {
    const verdict = checkTargetUrl(url, this.options.rules);
    const errors: FieldError[] = verdict.problems.map((message) => ({ field, message }));
    if (errors.length === 0 && verdict.url) {
      try {
        await resolveTarget(verdict.url.hostname, this.options.rules, this.lookup);
      } catch (error) {
        const message = error instanceof TargetRefusedError ? `host ${error.message}` : `host ${verdict.url.hostname} does not resolve (${(error as { code?: string }).code ?? (error as Error).message})`;
        errors.push({ field, message });
      }
    }
    if (errors.length) throw problems.webhookTargetRefused(errors);
  }

  async create(client: string, request: WebhookCreateRequest): Promise<WebhookCreated> {
    const box = this.sealer();
    await this.checkTarget(request.url);
    if ((await this.repository.count(client)) >= WEBHOOK_ENDPOINTS_MAX) throw problems.webhookLimit(WEBHOOK_ENDPOINTS_MAX);
    const id = newMessageId();
    const secret = newSigningSecret();
    const record = await this.repository.create({
      id,
      client,
      url: request.url,
      description: request.description ?? null,
      eventTypes: request.eventTypes ?? ['*'],
      enabled: request.enabled ?? true,
      sealedSecret: box.seal(secret, id),
    });
    return { ...endpointView(record), secret };
  }

  async list(client: string): Promise<WebhookEndpointView[]> {
    this.sealer();
    return (await this.repository.list(client)).map(endpointView);
  }

  async get(client: string, id: string): Promise<WebhookEndpointView> {
    this.sealer();
    const record = await this.repository.get(client, id);
    if (!record) throw problems.webhookNotFound(id);
    return endpointView(record);
  }

  async update(client: string, id: string, patch: WebhookUpdateRequest): Promise<WebhookEndpointView> {
    this.sealer();
    if (patch.url !== undefined) {
      if (!(await this.repository.get(client, id))) throw problems.webhookNotFound(id);
      await this.checkTarget(patch.url);
    }
    const record = await this.repository.update(client, id, patch);
    if (!record) throw problems.webhookNotFound(id);
    return endpointView(record);
  }

  async delete(client: string, id: string): Promise<void> {
    this.sealer();
    if (!(await this.repository.delete(client, id))) throw problems.webhookNotFound(id);
  }

  async rotateSecret(client: string, id: string, now = new Date()): Promise<WebhookSecretRotated> {
    const box = this.sealer();
    const secret = newSigningSecret();
    const previousSecretExpiresAt = new Date(now.getTime() + SECRET_OVERLAP_MS);
    if (!(await this.repository.rotateSecret(client, id, box.seal(secret, id), previousSecretExpiresAt))) throw problems.webhookNotFound(id);
    return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
  }

  private async enabledEndpoint(client: string, id: string): Promise<WebhookEndpointRecord> {
    this.sealer();
    const record = await this.repository.get(client, id);
    if (!record) throw problems.webhookNotFound(id);
    if (!record.enabled) throw problems.webhookDisabled();
    return record;
  }

  /** Queues a signed test event for the endpoint; returns its webhook-id. */
  async test(client: string, id: string, now = new Date()): Promise<{ webhookId: string }> {
    await this.enabledEndpoint(client, id);
    const webhookId = testWebhookId();
    await this.options.jobs.add([
      {
        jobId: webhookId,
        data: {
          v: JOB_VERSION,
          webhookId,
          endpointId: id,
          client,
          createdAt: now.toISOString(),
          payload: { type: WEBHOOK_TEST_TYPE, timestamp: now.toISOString(), data: { schemaVersion: WEBHOOK_SCHEMA_VERSION, endpointId: id, message: 'A test event from Herald: your endpoint receives and verifies webhooks.' } },
        },
      },
    ]);
    return { webhookId };
  }

  async attempts(client: string, id: string, query: { status?: WebhookAttemptStatus; after?: string; limit?: number }): Promise<{ items: WebhookAttemptView[]; next: string | null }> {
    this.sealer();
    if (!(await this.repository.get(client, id))) throw problems.webhookNotFound(id);
    const page = await this.repository.attempts(client, id, { ...(query.status ? { status: query.status } : {}), ...(query.after ? { after: query.after } : {}), limit: query.limit ?? 50 });
    return { items: page.items.map(attemptView), next: page.next };
  }

  /** Sends one attempt's event again, with its webhook-id. */
  async replayAttempt(client: string, id: string, attemptId: string, now = new Date()): Promise<WebhookReplayAnswer> {
    await this.enabledEndpoint(client, id);
    const attempt = await this.repository.attempt(client, id, attemptId);
    if (!attempt) throw problems.webhookAttemptNotFound(attemptId);
    await this.options.jobs.add([{ jobId: replayJobId(attempt.webhookId, attempt.id), data: this.replayJob(client, id, attempt.webhookId, attempt.payload, attempt.id, now) }]);
    return { dryRun: false, matched: 1, replayed: 1, webhookIds: [attempt.webhookId] };
  }

  /** Sends again every event whose calls ended failed or skipped, within the time range. */
  async replay(client: string, id: string, request: WebhookReplayRequest, now = new Date()): Promise<WebhookReplayAnswer> {
    await this.enabledEndpoint(client, id);
    const { matched, items } = await this.repository.replayCandidates(id, {
      from: request.from ? new Date(request.from) : null,
      to: request.to ? new Date(request.to) : null,
      limit: request.limit ?? 1_000,
    });
    const webhookIds = items.map((i) => i.webhookId);
    if (request.dryRun) return { dryRun: true, matched, replayed: 0, webhookIds: webhookIds.slice(0, 100) };
    await this.options.jobs.add(items.map((i) => ({ jobId: replayJobId(i.webhookId, i.attemptId), data: this.replayJob(client, id, i.webhookId, i.payload, i.attemptId, now) })));
    return { dryRun: false, matched, replayed: items.length, webhookIds: webhookIds.slice(0, 100) };
  }

  private replayJob(client: string, endpointId: string, webhookId: string, payload: unknown, replayOf: string, now: Date): WebhookJob {
    return { v: JOB_VERSION, webhookId, endpointId, client, createdAt: now.toISOString(), replayOf, payload: payload as WebhookJob['payload'] };
  }
}
