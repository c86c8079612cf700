/**
 * /v1/webhooks: the client's webhook endpoints (status callbacks signed to the Standard Webhooks
 * specification), their attempts, tests and replays. Every route is scoped to the authenticated
 * client: another client's endpoint is a 404, never a 403.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Problem,
  WebhookAttemptPage,
  WebhookAttemptParams,
  WebhookAttemptQuery,
  WebhookCreateRequest,
  WebhookCreated,
  WebhookEndpointView,
  WebhookList,
  WebhookParams,
  WebhookReplayAnswer,
  WebhookReplayRequest,
  WebhookSecretRotated,
  WebhookTestAnswer,
  WebhookUpdateRequest,
} from '@herald/contracts';
import { InvalidCursorError } from '@herald/tracking';
import { problems } from '../../errors';
import type { WebhookService } from '../../services/webhook-service';

const tags = ['webhooks'];
const common = { 400: Problem, 401: Problem, 429: Problem, 503: Problem };

const webhooksRoutes: FastifyPluginAsyncTypebox<{ service: WebhookService }> = async (app, { service }) => {
  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint',
        description:
          'Herald POSTs the status events of your messages to this URL, signed to the Standard Webhooks specification. The answer shows the signing secret once. The URL must be https, carry no credentials and resolve to public addresses only (422 otherwise); Herald checks the address again at every connection.',
        body: WebhookCreateRequest,
        response: { 201: WebhookCreated, ...common, 409: Problem, 413: Problem, 415: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.client, request.body);
      request.log.info({ endpointId: created.id }, 'webhook endpoint created');
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'List your webhook endpoints',
        description: 'Every endpoint of yours, oldest first (at most 50).',
        response: { 200: WebhookList, ...common },
      },
    },
    async (request) => ({ items: await service.list(request.client) }),
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'getWebhook',
        summary: 'Read a webhook endpoint',
        description: 'The endpoint, whether it is enabled, and why Herald disabled it if it did.',
        params: WebhookParams,
        response: { 200: WebhookEndpointView, ...common, 404: Problem },
      },
    },
    async (request) => service.get(request.client, request.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'updateWebhook',
        summary: 'Change a webhook endpoint',
        description: 'Changes the fields given. {"enabled": true} enables an endpoint Herald disabled, and clears the reason. A new URL is checked as at registration.',
        params: WebhookParams,
        body: WebhookUpdateRequest,
        response: { 200: WebhookEndpointView, ...common, 404: Problem, 413: Problem, 415: Problem, 422: Problem },
      },
    },
    async (request) => service.update(request.client, request.params.id, request.body),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook endpoint',
        description: 'Deletes the endpoint and its attempts; events not yet sent to it are dropped.',
        params: WebhookParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...common, 404: Problem },
      },
    },
    async (request, reply) => {
      await service.delete(request.client, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        tags,
        operationId: 'testWebhook',
        summary: 'Send a test event',
        description: 'Queues a signed webhook.test event to the endpoint, sent like any event (same signature, retries and attempt records).',
        params: WebhookParams,
        response: { 202: WebhookTestAnswer, ...common, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => reply.code(202).send(await service.test(request.client, request.params.id)),
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description:
          'Makes a new signing secret (shown once). For 24 hours the previous secret signs too: each call carries one signature per secret in webhook-signature, so your receiver may switch at any moment within that time.',
        params: WebhookParams,
        response: { 200: WebhookSecretRotated, ...common, 404: Problem },
      },
    },
    async (request) => {
      const rotated = await service.rotateSecret(request.client, request.params.id);
      request.log.info({ endpointId: request.params.id }, 'webhook secret rotated');
      return rotated;
    },
  );

  app.get(
    '/webhooks/:id/attempts',
    {
      schema: {
        tags,
        operationId: 'listWebhookAttempts',
        summary: 'List the calls made to an endpoint',
        description: 'Every call, newest first, a page at a time (pass `next` as `after`): its outcome, HTTP status, error, the start of your answer, and when the next call is due.',
        params: WebhookParams,
        querystring: WebhookAttemptQuery,
        response: { 200: WebhookAttemptPage, ...common, 404: Problem },
      },
    },
    async (request) => {
      try {
        return await service.attempts(request.client, request.params.id, request.query);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw problems.validation([{ field: '/querystring/after', message: 'is not a cursor this API gave out' }]);
        throw error;
      }
    },
  );

  app.post(
    '/webhooks/:id/attempts/:attemptId/replay',
    {
      schema: {
        tags,
        operationId: 'replayWebhookAttempt',
        summary: 'Send an attempt again',
        description: 'Sends the event of this attempt again, with the same webhook-id (a receiver that already processed it can drop it).',
        params: WebhookAttemptParams,
        response: { 202: WebhookReplayAnswer, ...common, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => reply.code(202).send(await service.replayAttempt(request.client, request.params.id, request.params.attemptId)),
  );

  app.post(
    '/webhooks/:id/replay',
    {
      schema: {
        tags,
        operationId: 'replayWebhooks',
        summary: 'Send failed events again',
        description: 'Sends again every event whose calls to this endpoint ended failed or skipped (the endpoint was disabled), by the time of that last call, oldest first. With dryRun it only counts (200); otherwise 202.',
        params: WebhookParams,
        body: WebhookReplayRequest,
        response: { 200: WebhookReplayAnswer, 202: WebhookReplayAnswer, ...common, 404: Problem, 409: Problem, 413: Problem, 415: Problem },
      },
    },
    async (request, reply) => {
      const answer = await service.replay(request.client, request.params.id, request.body);
      request.log.info({ endpointId: request.params.id, matched: answer.matched, replayed: answer.replayed, dryRun: answer.dryRun }, 'webhook replay');
      return reply.code(answer.dryRun ? 200 : 202).send(answer);
    },
  );
};

export default webhooksRoutes;
