/** POST /v1/replays: deliver failed deliveries again (dry run to count first). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Problem, ReplayAnswer, ReplayRequest } from '@herald/contracts';
import { problems } from '../../errors';
import { PublishFailedError } from '../../services/message-service';
import type { ReplayService } from '../../services/replay-service';

export interface ReplaysRoutesOptions {
  service: ReplayService;
  /** Charges each replayed delivery to the client's rate limit (replays count too). */
  charge: (client: string, points: number) => Promise<void>;
}

const replaysRoutes: FastifyPluginAsyncTypebox<ReplaysRoutesOptions> = async (app, { service, charge }) => {
  app.post(
    '/replays',
    {
      schema: {
        tags: ['messages'],
        operationId: 'replayDeliveries',
        summary: 'Deliver failed deliveries again',
        description:
          'Selects your failed deliveries by time of failure, channel, error code or text and message ids, oldest first, up to limit. With dryRun it only counts (200). Otherwise it queues them for delivery again (202) at a new generation: each is sent at most once more, whatever the number of replays requested, and a delivery that was sent is never sent again.',
        body: ReplayRequest,
        response: { 200: { ...ReplayAnswer, description: 'A dry run: what would be replayed.' }, 202: { ...ReplayAnswer, description: 'Queued for delivery again.' }, 503: Problem },
      },
    },
    async (request, reply) => {
      try {
        const answer = await service.replay(request.body, request.client);
        request.log.info({ replayId: answer.replayId, matched: answer.matched, replayed: answer.replayed, dryRun: answer.dryRun }, 'replay');
        if (answer.replayed > 1) await charge(request.client, answer.replayed - 1);
        return reply.code(answer.dryRun ? 200 : 202).send(answer);
      } catch (error) {
        if (error instanceof PublishFailedError) throw problems.unavailable('The replay could not be queued (Kafka did not acknowledge it); nothing changed. Retry.');
        throw error;
      }
    },
  );
};

export default replaysRoutes;
