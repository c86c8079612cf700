/**
 * Webhook endpoints and the record of every call made to them. The ingest-api manages endpoints
 * (per client: a client only ever reads and changes its own) and reads attempts; the
 * webhook-worker finds, per batch of status events, the endpoints that want them (one statement
 * over unnest), reads an endpoint's sealed secrets to sign, records each call, and prunes old
 * attempts. Secrets are stored and returned sealed: sealing and opening is the caller's
 * (@herald/webhooks SecretBox), so a secret never exists in clear in this module.
 *
 * Plain SQL over the process's pg pool: the hot statements (fan-out lookup, attempt records)
 * run per batch and per call.
 */
import type { WebhookAttemptStatus } from '@herald/contracts';
import type { SqlRunner } from './prisma';
import { InvalidCursorError } from './suppressions';

export interface WebhookEndpointRecord {
  id: string;
  client: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  disabledReason: string | null;
  failingSince: Date | null;
}

/** What the worker needs to sign and send. */
export interface SigningEndpoint {
  id: string;
  client: string;
  url: string;
  enabled: boolean;
  /** Sealed secrets that sign now: the current one first, then the previous one while its overlap lasts. */
  sealedSecrets: string[];
  failingSince: Date | null;
}

export interface NewWebhookEndpoint {
  id: string;
  client: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  sealedSecret: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  enabled?: boolean;
}

export interface WebhookAttemptRecord {
  id: string;
  endpointId: string;
  webhookId: string;
  eventType: string;
  messageId: string | null;
  deliveryId: string | null;
  attempt: number;
  status: WebhookAttemptStatus;
  responseStatus: number | null;
  error: string | null;
  response: string | null;
  durationMs: number | null;
  nextAttemptAt: Date | null;
  replayOf: string | null;
  at: Date;
}

export interface NewWebhookAttempt extends Omit<WebhookAttemptRecord, 'at'> {
  payload: unknown;
  at?: Date;
}

/** One endpoint that wants events of one message, with what the payload needs from the message. */
export interface FanOutTarget {
  messageId: string;
  client: string;
  metadata: Record<string, string | number | boolean | null>;
  endpointId: string;
  eventTypes: string[];
}

export interface ReplayCandidate {
  attemptId: string;
  webhookId: string;
  payload: unknown;
}

const ENDPOINT_COLUMNS = 'id, client, url, description, event_types, enabled, created_at, updated_at, disabled_reason, failing_since';

interface EndpointRow {
  id: string;
  client: string;
  url: string;
  description: string | null;
  event_types: string[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  disabled_reason: string | null;
  failing_since: Date | null;
}

const toEndpoint = (r: EndpointRow): WebhookEndpointRecord => ({
  id: r.id,
  client: r.client,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  enabled: r.enabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since,
});

const ATTEMPT_COLUMNS = 'id, endpoint_id, webhook_id, event_type, message_id, delivery_id, attempt, status, response_status, error, response, duration_ms, next_attempt_at, replay_of, at';

interface AttemptRow {
  id: string;
  endpoint_id: string;
  webhook_id: string;
  event_type: string;
  message_id: string | null;
  delivery_id: string | null;
  attempt: number;
  status: string;
  response_status: number | null;
  error: string | null;
  response: string | null;
  duration_ms: number | null;
  next_attempt_at: Date | null;
  replay_of: string | null;
  at: Date;
}

const toAttempt = (r: AttemptRow): WebhookAttemptRecord => ({
  id: r.id,
  endpointId: r.endpoint_id,
  webhookId: r.webhook_id,
  eventType: r.event_type,
  messageId: r.message_id,
  deliveryId: r.delivery_id,
  attempt: r.attempt,
  status: r.status as WebhookAttemptStatus,
  responseStatus: r.response_status,
  error: r.error,
  response: r.response,
  durationMs: r.duration_ms,
  nextAttemptAt: r.next_attempt_at,
  replayOf: r.replay_of,
  at: r.at,
});

export class WebhookRepository {
  constructor(private readonly sql: SqlRunner) {}

  // --- Endpoints (the API; every statement is scoped to the client).

  async create(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord> {
    const { rows } = await this.sql.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (id, client, url, description, event_types, enabled, secret)
       VALUES ($1::uuid, $2, $3, $4, $5::text[], $6, $7)
       RETURNING ${ENDPOINT_COLUMNS}`,
      [endpoint.id, endpoint.client, endpoint.url, endpoint.description, endpoint.eventTypes, endpoint.enabled, endpoint.sealedSecret],
    );
    return toEndpoint(rows[0] as EndpointRow);
  }

  async count(client: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: string }>('SELECT count(*) AS n FROM webhook_endpoints WHERE client = $1', [client]);
    return Number(rows[0]?.n ?? 0);
  }

  async list(client: string): Promise<WebhookEndpointRecord[]> {
    const { rows } = await this.sql.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client = $1 ORDER BY created_at, id`, [client]);
    return rows.map(toEndpoint);
  }

  async get(client: string, id: string): Promise<WebhookEndpointRecord | null> {
    const { rows } = await this.sql.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client = $1 AND id = $2::uuid`, [client, id]);
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  /** Changes what is given; enabling clears the reason Herald disabled it and the failing streak. */
  async update(client: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRecord | null> {
    const { rows } = await this.sql.query<EndpointRow>(
      `UPDATE webhook_endpoints SET
         url = COALESCE($3, url),
         description = CASE WHEN $4::boolean THEN $5 ELSE description END,
         event_types = COALESCE($6::text[], event_types),
         enabled = COALESCE($7::boolean, enabled),
         disabled_reason = CASE WHEN $7::boolean IS NOT NULL THEN NULL ELSE disabled_reason END,
         failing_since = CASE WHEN $7::boolean IS TRUE THEN NULL ELSE failing_since END,
         updated_at = now()
       WHERE client = $1 AND id = $2::uuid
       RETURNING ${ENDPOINT_COLUMNS}`,
      [client, id, patch.url ?? null, 'description' in patch, patch.description ?? null, patch.eventTypes ?? null, patch.enabled ?? null],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  /** Deletes the endpoint and its attempts; false when the client has no such endpoint. */
  async delete(client: string, id: string): Promise<boolean> {
    const { rowCount } = await this.sql.query('DELETE FROM webhook_endpoints WHERE client = $1 AND id = $2::uuid', [client, id]);
    return (rowCount ?? 0) > 0;
  }

  /** Makes `sealedSecret` the signing secret; the current one keeps signing until `previousExpiresAt`. */
  async rotateSecret(client: string, id: string, sealedSecret: string, previousExpiresAt: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3, updated_at = now()
       WHERE client = $1 AND id = $2::uuid`,
      [client, id, sealedSecret, previousExpiresAt],
    );
    return (rowCount ?? 0) > 0;
  }

  // --- Attempts (the API).

  /** A page of an endpoint's attempts, newest first (keyset pagination on (at, id)). */
  async attempts(client: string, endpointId: string, options: { status?: WebhookAttemptStatus; after?: string; limit: number }): Promise<{ items: WebhookAttemptRecord[]; next: string | null }> {
    const [afterAt, afterId] = options.after ? decodeCursor(options.after) : [null, null];
    const { rows } = await this.sql.query<AttemptRow>(
      `SELECT ${ATTEMPT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')} FROM webhook_attempts a
       JOIN webhook_endpoints e ON e.id = a.endpoint_id AND e.client = $1
       WHERE a.endpoint_id = $2::uuid
         AND ($3::text IS NULL OR a.status = $3)
         AND ($4::timestamptz IS NULL OR (a.at, a.id) < ($4::timestamptz, $5::uuid))
       ORDER BY a.at DESC, a.id DESC
       LIMIT $6`,
      [client, endpointId, options.status ?? null, afterAt, afterId, options.limit + 1],
    );
    const items = rows.slice(0, options.limit).map(toAttempt);
    const last = items.at(-1);
    return { items, next: rows.length > options.limit && last ? encodeCursor(last.at, last.id) : null };
  }

  /** One attempt of the client's endpoint, with the payload it carried. */
  async attempt(client: string, endpointId: string, attemptId: string): Promise<(WebhookAttemptRecord & { payload: unknown }) | null> {
    const { rows } = await this.sql.query<AttemptRow & { payload: unknown }>(
      `SELECT ${ATTEMPT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}, a.payload FROM webhook_attempts a
       JOIN webhook_endpoints e ON e.id = a.endpoint_id AND e.client = $1
       WHERE a.endpoint_id = $2::uuid AND a.id = $3::uuid`,
      [client, endpointId, attemptId],
    );
    return rows[0] ? { ...toAttempt(rows[0]), payload: rows[0].payload } : null;
  }

  /**
   * The events to send again: those whose latest call to this endpoint ended failed or skipped,
   * that call falling within [from, to), oldest first, at most `limit`; and how many match.
   */
  async replayCandidates(endpointId: string, options: { from: Date | null; to: Date | null; limit: number }): Promise<{ matched: number; items: ReplayCandidate[] }> {
    const { rows } = await this.sql.query<{ id: string; webhook_id: string; payload: unknown; matched: string }>(
      `WITH latest AS (
         SELECT DISTINCT ON (webhook_id) id, webhook_id, status, at, payload FROM webhook_attempts
         WHERE endpoint_id = $1::uuid
           AND webhook_id IN (SELECT webhook_id FROM webhook_attempts WHERE endpoint_id = $1::uuid AND status IN ('failed', 'skipped')
                                AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3))
         ORDER BY webhook_id, at DESC, id DESC
       ), chosen AS (
         SELECT * FROM latest WHERE status IN ('failed', 'skipped') AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       )
       SELECT id, webhook_id, payload, (SELECT count(*) FROM chosen) AS matched FROM chosen ORDER BY at, id LIMIT $4`,
      [endpointId, options.from, options.to, options.limit],
    );
    return { matched: Number(rows[0]?.matched ?? 0), items: rows.map((r) => ({ attemptId: r.id, webhookId: r.webhook_id, payload: r.payload })) };
  }

  // --- The worker.

  /**
   * For a batch of status events: the endpoints of each message's client that take events, with
   * the message's metadata; one statement for the whole batch. That is the enabled endpoints, and
   * those Herald disabled (410, failing too long): their events are recorded as skipped, to be
   * replayed once the owner enables the endpoint again. An endpoint its owner disabled gets
   * nothing. Messages without an endpoint (or not in tracking) are absent.
   */
  async fanOutTargets(messageIds: readonly string[]): Promise<FanOutTarget[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.sql.query<{ message_id: string; client: string; metadata: FanOutTarget['metadata']; endpoint_id: string; event_types: string[] }>(
      `SELECT m.id AS message_id, m.client, m.metadata, e.id AS endpoint_id, e.event_types
       FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) AS wanted
       JOIN messages m ON m.id = wanted.id
       JOIN webhook_endpoints e ON e.client = m.client AND (e.enabled OR e.disabled_reason IS NOT NULL)`,
      [messageIds],
    );
    return rows.map((r) => ({ messageId: r.message_id, client: r.client, metadata: r.metadata ?? {}, endpointId: r.endpoint_id, eventTypes: r.event_types }));
  }

  /** The endpoint as the worker signs and sends (null when deleted). */
  async signingEndpoint(id: string): Promise<SigningEndpoint | null> {
    const { rows } = await this.sql.query<{ id: string; client: string; url: string; enabled: boolean; secret: string; previous_secret: string | null; previous_live: boolean; failing_since: Date | null }>(
      `SELECT id, client, url, enabled, secret, previous_secret, previous_secret_expires_at > now() AS previous_live, failing_since
       FROM webhook_endpoints WHERE id = $1::uuid`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      client: row.client,
      url: row.url,
      enabled: row.enabled,
      sealedSecrets: row.previous_secret && row.previous_live ? [row.secret, row.previous_secret] : [row.secret],
      failingSince: row.failing_since,
    };
  }

  /**
   * Records one call and moves the endpoint's failing streak with it, in one statement: a success
   * ends the streak, a failure starts it (when none runs). Returns since when the endpoint has
   * been failing (null after a success, or when the endpoint is gone).
   */
  async recordAttempt(attempt: NewWebhookAttempt, callSucceeded: boolean | null): Promise<{ failingSince: Date | null }> {
    const { rows } = await this.sql.query<{ failing_since: Date | null }>(
      `WITH recorded AS (
         INSERT INTO webhook_attempts (id, endpoint_id, webhook_id, event_type, message_id, delivery_id, attempt, status, response_status, error, response, duration_ms, next_attempt_at, replay_of, payload, at)
         SELECT $1::uuid, $2::uuid, $3, $4, $5::uuid, $6::uuid, $7, $8, $9, $10, $11, $12, $13, $14::uuid, $15::jsonb, COALESCE($16::timestamptz, now())
         WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = $2::uuid)
         RETURNING at
       ), streak AS (
         UPDATE webhook_endpoints SET failing_since = CASE WHEN $17::boolean THEN NULL ELSE COALESCE(failing_since, now()) END
         WHERE id = $2::uuid AND $17::boolean IS NOT NULL
           AND (($17::boolean AND failing_since IS NOT NULL) OR (NOT $17::boolean AND failing_since IS NULL))
         RETURNING failing_since
       )
       SELECT COALESCE((SELECT failing_since FROM streak LIMIT 1), (SELECT failing_since FROM webhook_endpoints WHERE id = $2::uuid)) AS failing_since`,
      [
        attempt.id,
        attempt.endpointId,
        attempt.webhookId,
        attempt.eventType,
        attempt.messageId,
        attempt.deliveryId,
        attempt.attempt,
        attempt.status,
        attempt.responseStatus,
        attempt.error,
        attempt.response,
        attempt.durationMs,
        attempt.nextAttemptAt,
        attempt.replayOf,
        JSON.stringify(attempt.payload),
        attempt.at ?? null,
        callSucceeded,
      ],
    );
    // A success ends the streak in this very statement (its snapshot still shows the old value).
    return { failingSince: callSucceeded ? null : (rows[0]?.failing_since ?? null) };
  }

  /** Disables an endpoint with the reason its owner will see; false when it was not enabled. */
  async disable(id: string, reason: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1::uuid AND enabled',
      [id, reason],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Deletes attempts older than `before`, at most `batch` at a time; returns how many. */
  async pruneAttempts(before: Date, batch: number): Promise<number> {
    const { rowCount } = await this.sql.query(
      'DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE at < $1 ORDER BY at LIMIT $2)',
      [before, batch],
    );
    return rowCount ?? 0;
  }
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && typeof value[1] === 'string' && /^[0-9a-f-]{36}$/i.test(value[1])) {
      return value as [string, string];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}
