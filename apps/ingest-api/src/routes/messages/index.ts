/** GET /v1/messages/:id: a message, one delivery per channel, and the history of each. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MessageParams, MessageView, Problem } from '@herald/contracts';
import { problems } from '../../errors';
import type { MessageReader } from '../../services/message-reader';

export interface MessagesRoutesOptions {
  reader: MessageReader;
}

const messagesRoutes: FastifyPluginAsyncTypebox<MessagesRoutesOptions> = async (app, { reader }) => {
  app.get(
    '/messages/:id',
    {
      schema: {
        tags: ['messages'],
        operationId: 'getMessage',
        summary: 'Read a message and the status of each delivery',
        description:
          'Right after a 202 the message may take a moment to appear (it travels through Kafka); a 404 then means "not yet" for an id you were just given.',
        params: MessageParams,
        response: { 200: MessageView, 404: Problem },
      },
    },
    async (request) => {
      const message = await reader.getMessage(request.params.id, request.client);
      if (!message) throw problems.messageNotFound(request.params.id);
      return message;
    },
  );
};

export default messagesRoutes;
