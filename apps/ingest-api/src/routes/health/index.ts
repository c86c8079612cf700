/**
 * Liveness (/healthz: the process answers), readiness (/readyz: Kafka answers and the process is
 * not draining; PostgreSQL, needed only to read statuses, makes it "degraded" but still ready;
 * each dependency by name, never its error text)
 * and Prometheus metrics (/metrics, this process's own). All three are for the orchestrator and
 * the monitoring, not for API consumers: they are left out of the OpenAPI document (and so out of
 * the generated client); the README and the chart document them.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isReady, publicReport, type Health, type Registry } from '@herald/runtime';

const Liveness = Type.Object({ status: Type.Literal('ok'), pid: Type.Integer() });
const Readiness = Type.Object({
  status: Type.String(),
  checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), ms: Type.Number() })),
});

const healthRoutes: FastifyPluginAsyncTypebox<{ health: Health; metrics: Registry }> = async (app, { health, metrics }) => {
  app.get(
    '/healthz',
    { schema: { hide: true, summary: 'Liveness', response: { 200: Liveness } }, logLevel: 'warn' },
    async () => ({ status: 'ok' as const, pid: process.pid }),
  );
  app.get(
    '/readyz',
    { schema: { hide: true, summary: 'Readiness', response: { 200: Readiness, 503: Readiness } }, logLevel: 'warn' },
    async (_request, reply) => {
      const report = await health.readiness();
      // Names the dependency that is down, never its error text (logged by Health instead).
      return reply.code(isReady(report) ? 200 : 503).send(publicReport(report));
    },
  );
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};

export default healthRoutes;
