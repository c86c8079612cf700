/** OpenAPI document at /docs/json (and /docs/yaml), Swagger UI at /docs. */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

async function openApiPlugin(app: FastifyInstance, options: { version: string; webhooks?: Record<string, unknown> }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: options.version,
        description:
          'Send email and SMS through Herald. POST /v1/North accepts a message (202 once it is durably queued in Kafka); GET /v1/messages/{id} shows each delivery and its history. Errors are RFC 9457 problem+json.',
      },
      tags: [
        { name: 'messages', description: 'Send messages and read their status' },
        { name: 'operations', description: 'Health and readiness' },
        { name: 'webhooks', description: 'Status callbacks to your endpoints, signed to the Standard Webhooks specification' },
      ],
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}

export default fp(openApiPlugin, { name: 'herald-openapi', fastify: '5.x' });
