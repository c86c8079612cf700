/**
 * /v1/suppressions: the client's suppression list. Provider receipts add hard bounces,
 * complaints and opt-outs; a client may also add and remove entries (e.g. a user who asked to be
 * mailed again). An opt-out that applies to every client (STOP to a shared sender) can be read but
 * not removed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Problem, SuppressionListQuery, SuppressionPage, SuppressionParams, SuppressionRequest, SuppressionView } from '@herald/contracts';
import { InvalidCursorError, type SuppressionRecord, type SuppressionRepository } from '@herald/tracking';
import { problems } from '../../errors';

const view = (r: SuppressionRecord): SuppressionView => ({ ...r, createdAt: r.createdAt.toISOString() });

const suppressionsRoutes: FastifyPluginAsyncTypebox<{ suppressions: SuppressionRepository }> = async (app, { suppressions }) => {
  app.get(
    '/suppressions',
    {
      schema: {
        tags: ['suppressions'],
        operationId: 'listSuppressions',
        summary: 'List your suppression list',
        description: 'Your entries, by channel then address, a page at a time (keyset pagination: pass `next` as `after`).',
        querystring: SuppressionListQuery,
        response: { 200: SuppressionPage },
      },
    },
    async (request) => {
      try {
        const page = await suppressions.list(request.client, { ...(request.query.channel ? { channel: request.query.channel } : {}), ...(request.query.after ? { after: request.query.after } : {}), limit: request.query.limit ?? 100 });
        return { items: page.items.map(view), next: page.next };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw problems.validation([{ field: '/querystring/after', message: 'is not a cursor this API gave out' }]);
        throw error;
      }
    },
  );

  app.get(
    '/suppressions/:channel/:address',
    {
      schema: {
        tags: ['suppressions'],
        operationId: 'getSuppression',
        summary: 'Look up a recipient',
        description: 'The entry that stops sends to this recipient for you (yours, or an opt-out for every client), or 404.',
        params: SuppressionParams,
        response: { 200: SuppressionView, 404: Problem },
      },
    },
    async (request) => {
      const found = await suppressions.get(request.client, request.params.channel, request.params.address);
      if (!found) throw problems.suppressionNotFound();
      return view(found);
    },
  );

  app.put(
    '/suppressions/:channel/:address',
    {
      schema: {
        tags: ['suppressions'],
        operationId: 'addSuppression',
        summary: 'Add a recipient',
        description: 'Herald sends nothing more to this recipient for you: a delivery to it fails at once with SUPPRESSED. 201 when added, 200 when it was already there.',
        params: SuppressionParams,
        body: SuppressionRequest,
        response: { 200: { ...SuppressionView, description: 'Already on the list.' }, 201: { ...SuppressionView, description: 'Added.' } },
      },
    },
    async (request, reply) => {
      const { record, created } = await suppressions.add(request.client, request.params.channel, request.params.address, 'manual', request.body.detail ?? null);
      return reply.code(created ? 201 : 200).send(view(record));
    },
  );

  app.delete(
    '/suppressions/:channel/:address',
    {
      schema: {
        tags: ['suppressions'],
        operationId: 'removeSuppression',
        summary: 'Remove a recipient',
        description: 'Herald may send to this recipient again. 404 when it was not on your list; 409 for an opt-out that applies to every client (the recipient must opt in again at the provider).',
        params: SuppressionParams,
        response: { 204: { type: 'null', description: 'Removed.' }, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      if (await suppressions.remove(request.client, request.params.channel, request.params.address)) return reply.code(204).send();
      const found = await suppressions.get(request.client, request.params.channel, request.params.address);
      if (found?.everyClient) throw problems.suppressionShared();
      throw problems.suppressionNotFound();
    },
  );
};

export default suppressionsRoutes;
