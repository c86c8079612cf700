/**
 * The /v1 scope: every route of the public API, behind authentication and rate limits. The hooks
 * are registered in this encapsulated context, so they run for every route declared in it and
 * for no other: the decision is made on the matched route, however the request spelled its path.
 * New /v1 route groups are registered here and nowhere else.
 */
import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import type { MessageReader } from '../../services/message-reader';
import type { MessageService } from '../../services/message-service';
import type { ReplayService } from '../../services/replay-service';
import type { WebhookService } from '../../services/webhook-service';
import messagesRoutes from '../messages/index';
import northRoutes from '../north/index';
import replaysRoutes from '../replays/index';
import suppressionsRoutes from '../suppressions/index';
import webhooksRoutes from '../webhooks/index';
import type { SuppressionRepository } from '@herald/tracking';
import { documentV1Route } from '../../plugins/route-docs';

export interface V1Options {
  /** Authentication (absent only with AUTH_DISABLED=true). */
  authenticate?: onRequestAsyncHookHandler;
  /** Rate limits (absent when every limit is switched off). */
  rateLimit?: onRequestAsyncHookHandler;
  charge: (client: string, points: number) => Promise<void>;
  messages: MessageService;
  reader: MessageReader;
  replays: ReplayService;
  suppressions: SuppressionRepository;
  webhooks: WebhookService;
}

const v1Routes: FastifyPluginAsync<V1Options> = async (app, options) => {
  // Documented for every route of the scope, whatever the deployment switches off (AUTH_DISABLED,
  // limits at 0): the document is the API's contract, the same for every deployment.
  app.addHook('onRoute', documentV1Route);
  if (options.authenticate) app.addHook('onRequest', options.authenticate);
  if (options.rateLimit) app.addHook('onRequest', options.rateLimit);
  await app.register(northRoutes, { service: options.messages });
  await app.register(messagesRoutes, { reader: options.reader });
  await app.register(replaysRoutes, { service: options.replays, charge: options.charge });
  await app.register(suppressionsRoutes, { suppressions: options.suppressions });
  await app.register(webhooksRoutes, { service: options.webhooks });
};

export default v1Routes;
