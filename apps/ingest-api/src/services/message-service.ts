/**
 * MessageService.createMessage: the domain step behind POST /v1/North. The request has passed
 * the route schema; this assigns the message id (derived from the client and Idempotency-Key
 * when there is one), builds the versioned message.accepted event and hands it to the publisher,
 * which resolves only once Kafka has acknowledged it (acks from all in-sync replicas).
 *
 * With an Idempotency-Key: the first request claims the key; a repeat with the same body gets the
 * original answer (a concurrent repeat waits for it), a repeat with another body is refused.
 * If the idempotency store is unreachable the request still goes through: the derived message id
 * makes every later stage drop a repeat, so at worst a reused key with another body is not caught.
 */
import { HeraldError } from '@herald/errors';
import { setTimeout as delay } from 'node:timers/promises';
import {
  NORTH_EVENT_VERSION,
  messageIdForIdempotencyKey,
  newMessageId,
  type MessageAcceptedEvent,
  type NorthAccepted,
  type NorthRequest,
} from '@herald/contracts';
import { RecordTooLargeError } from '@herald/kafka';
import type { FieldError } from '@herald/contracts';
import type { Logger } from '@herald/runtime';
import { canonicalHash, type IdempotencyStore } from './idempotency-store';
import type { SendPolicy } from './send-policy';

export interface MessagePublisher {
  publish(event: MessageAcceptedEvent): Promise<void>;
}

export interface CreateContext {
  client: string;
  idempotencyKey?: string;
}

export interface CreateResult {
  accepted: NorthAccepted;
  /** The answer of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

export class IdempotencyKeyReusedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('Idempotency-Key reused with a different body');
  }
}

export class IdempotencyKeyInProgressError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_IDEMPOTENCY_KEY_IN_PROGRESS';
  constructor() {
    super('a request with this Idempotency-Key is still in progress');
  }
}

/** The message breaks the deployment's or the client's send policy (destination, sender). */
export class NotAllowedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_NOT_ALLOWED';
  constructor(readonly errors: FieldError[]) {
    super(`not allowed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  }
}

/** The message, with its envelope, is larger than the north-updates topic takes: nothing was produced. */
export class MessageTooLargeError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_MESSAGE_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the message is larger than the ${limit} bytes the topic takes`);
  }
}

/** Kafka did not acknowledge the message: nothing was accepted. */
export class PublishFailedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_INGEST_PUBLISH_FAILED';
  constructor(cause: unknown) {
    super(`publish failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface MessageServiceOptions {
  publisher: MessagePublisher;
  policy?: SendPolicy;
  idempotency?: IdempotencyStore;
  /** How long a concurrent repeat waits for the first request to finish. */
  idempotencyWaitMs?: number;
  logger?: Logger;
  now?: () => Date;
}

export class MessageService {
  private readonly now: () => Date;

  constructor(private readonly options: MessageServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async createMessage(request: NorthRequest, context: CreateContext): Promise<CreateResult> {
    const refused = this.options.policy?.check(request, context.client) ?? [];
    if (refused.length) throw new NotAllowedError(refused);
    const { idempotency } = this.options;
    const key = context.idempotencyKey;
    if (!key || !idempotency) return { accepted: await this.publish(request, context), replayed: false };

    const bodyHash = canonicalHash(request);
    const deadline = Date.now() + (this.options.idempotencyWaitMs ?? 5_000);
    for (;;) {
      let claim;
      try {
        claim = await idempotency.begin(context.client, key, bodyHash);
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'idempotency store unreachable; relying on the derived message id');
        return { accepted: await this.publish(request, context), replayed: false };
      }
      if (claim.kind === 'claimed') return this.publishClaimed(request, context, key, claim.token, bodyHash);
      const { record } = claim;
      if (record.bodyHash !== bodyHash) throw new IdempotencyKeyReusedError();
      if (record.state === 'done') return { accepted: record.response, replayed: true };
      // Pending: another request with this key is publishing. Wait for its answer.
      if (Date.now() >= deadline) throw new IdempotencyKeyInProgressError();
      await delay(25);
    }
  }

  private async publishClaimed(request: NorthRequest, context: CreateContext, key: string, token: string, bodyHash: string): Promise<CreateResult> {
    const idempotency = this.options.idempotency;
    let accepted: NorthAccepted;
    try {
      accepted = await this.publish(request, context);
    } catch (error) {
      await idempotency?.release(context.client, key, token).catch(() => undefined);
      throw error;
    }
    await idempotency?.complete(context.client, key, token, bodyHash, accepted).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, messageId: accepted.id }, 'could not record the Idempotency-Key answer');
    });
    return { accepted, replayed: false };
  }

  private async publish(request: NorthRequest, context: CreateContext): Promise<NorthAccepted> {
    const acceptedAt = this.now();
    const messageId = context.idempotencyKey
      ? messageIdForIdempotencyKey(context.client, context.idempotencyKey)
      : newMessageId(acceptedAt.getTime());
    const event: MessageAcceptedEvent = {
      v: NORTH_EVENT_VERSION,
      kind: 'message.accepted',
      messageId,
      acceptedAt: acceptedAt.toISOString(),
      client: context.client,
      ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
      request,
    };
    try {
      await this.options.publisher.publish(event);
    } catch (error) {
      if (error instanceof RecordTooLargeError) throw new MessageTooLargeError(error.limit);
      throw new PublishFailedError(error);
    }
    return {
      id: messageId,
      status: 'accepted',
      deliveries: request.channels.map((channel) => ({ channel, status: 'accepted' as const })),
    };
  }
}
