/** POST /v1/North: accept a message for delivery. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdempotencyKeyHeader, NorthAccepted, NorthRequest, Problem, ResponseHeaders, withHeaders } from '@herald/contracts';
import { MessageController } from './message-controller';
import type { MessageService } from '../../services/message-service';

export interface NorthRoutesOptions {
  service: MessageService;
}

const northRoutes: FastifyPluginAsyncTypebox<NorthRoutesOptions> = async (app, { service }) => {
  const controller = new MessageController(service);
  app.post(
    '/North',
    {
      schema: {
        tags: ['messages'],
        operationId: 'sendMessage',
        summary: 'Send a message by email, SMS or both',
        description:
          'Validates the message, assigns its id and queues it durably in Kafka. 202 means Herald has it and will deliver it on each channel or report why not. With an Idempotency-Key the request is safe to retry: the same key and body answer the original 202 (header Idempotent-Replayed: true) and send nothing new; the same key with another body is refused with 422; a repeat while the first is still in flight waits for its answer (409 if it takes too long). Keys are kept at least 24 hours.',
        headers: IdempotencyKeyHeader,
        body: NorthRequest,
        response: {
          202: withHeaders(NorthAccepted, { Location: ResponseHeaders.location, 'Idempotent-Replayed': ResponseHeaders.idempotentReplayed }),
          409: Problem,
          422: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { accepted, replayed } = await controller.create(request);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(202).header('location', `/v1/messages/${accepted.id}`).send(accepted);
    },
  );
};

export default northRoutes;
