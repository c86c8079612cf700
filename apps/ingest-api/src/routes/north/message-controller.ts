/**
 * MessageController: turns an HTTP request into a MessageService call and the outcome into an
 * answer: 202 (with Idempotent-Replayed when it repeats an earlier answer), 422 for a message the
 * send policy refuses or a reused Idempotency-Key, 413 for a message too large for Kafka, 409 while
 * a request with the same key is in flight, 503 when Kafka did not acknowledge (and the client
 * should retry, safely with the same key).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { NorthRequest } from '@herald/contracts';
import { problems } from '../../errors';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  MessageTooLargeError,
  NotAllowedError,
  PublishFailedError,
  type CreateResult,
  type MessageService,
} from '../../services/message-service';

/** The parts of a validated request the controller uses. */
export interface NorthHttpRequest {
  body: NorthRequest;
  headers: { 'idempotency-key'?: string | undefined };
  client: string;
  log: FastifyBaseLogger;
}

export class MessageController {
  constructor(private readonly service: MessageService) {}

  async create(request: NorthHttpRequest): Promise<CreateResult> {
    const idempotencyKey = request.headers['idempotency-key'];
    try {
      const result = await this.service.createMessage(request.body, { client: request.client, ...(idempotencyKey ? { idempotencyKey } : {}) });
      request.log.info({ messageId: result.accepted.id, channels: request.body.channels, replayed: result.replayed }, 'message accepted');
      return result;
    } catch (error) {
      if (error instanceof NotAllowedError) throw problems.notAllowed(error.errors);
      if (error instanceof MessageTooLargeError) throw problems.messageTooLarge(error.limit);
      if (error instanceof IdempotencyKeyReusedError) throw problems.idempotencyMismatch();
      if (error instanceof IdempotencyKeyInProgressError) throw problems.idempotencyInProgress();
      if (error instanceof PublishFailedError) {
        request.log.warn({ err: error }, 'could not publish to Kafka');
        throw problems.unavailable(
          'The message could not be confirmed as accepted (Kafka did not acknowledge it). Retry with the same Idempotency-Key so that it is not sent twice.',
        );
      }
      throw error;
    }
  }
}
