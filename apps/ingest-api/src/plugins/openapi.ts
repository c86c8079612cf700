/**
 * OpenAPI document at /docs/json (and /docs/yaml), Swagger UI at /docs. The document is what API
 * consumers generate clients from (libs/client is generated from it): it declares the bearer
 * security scheme, a server, a tag per route group, and, through the onRoute hook of
 * route-docs.ts, the problem+json errors and headers of every route. Its lint test
 * (test/openapi-lint.test.ts) runs Redocly's recommended rules on it.
 */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME, documentRoute } from './route-docs';
import { WEBHOOK_SIGNATURE_SCHEME } from './webhook-docs';

/** Every tag a route may use, with its description (Redocly's operation-tag-defined rule holds routes to this list). */
export const TAGS = [
  { name: 'messages', description: 'Send messages, read where each delivery stands, and deliver failed ones again.' },
  { name: 'suppressions', description: 'Your suppression list: recipients Herald does not send to for you (hard bounces, complaints, opt-outs, and those you add).' },
  { name: 'webhooks', description: 'Status callbacks to your endpoints, signed to the Standard Webhooks specification.' },
] as const;

async function openApiPlugin(app: FastifyInstance, options: { version: string; webhooks?: Record<string, unknown> }): Promise<void> {
  app.addHook('onRoute', documentRoute);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: options.version,
        description:
          'Send email and SMS through Herald. POST /v1/North accepts a message (202 once it is durably queued in Kafka); GET /v1/messages/{id} shows each delivery and its history. Every /v1 request takes `Authorization: Bearer <API key>`. Errors are RFC 9457 problem+json with a stable `code`. Send an `Idempotency-Key` to make a POST safe to retry; 429 and 503 answers say when to retry (`Retry-After`).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        contact: { name: 'Herald', url: 'https://herald.dev' },
      },
      servers: [{ url: '/', description: 'The Herald deployment that serves this document.' }],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key of your API client (API_KEYS), as `Authorization: Bearer <key>`.' },
          [WEBHOOK_SIGNATURE_SCHEME]: {
            type: 'apiKey',
            in: 'header',
            name: 'webhook-signature',
            description: "How your endpoint authenticates Herald's webhook calls: the Standard Webhooks signature under the endpoint's signing secret (whsec_..., shown once when the endpoint is created).",
          },
        },
      },
      tags: [...TAGS],
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}

export default fp(openApiPlugin, { name: 'herald-openapi', fastify: '5.x' });
