/**
 * Errors as RFC 9457 application/problem+json, for every route: validation errors name each
 * field, parser errors say what was wrong with the body, unknown routes get a 404 problem, and
 * anything unexpected is logged and answered with a 500 that hides internals.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toFieldErrors, type Problem } from '@herald/contracts';
import { HttpProblemError, problems } from '../errors';

function fromFastifyError(error: FastifyError, request: FastifyRequest, bodyLimit: number): HttpProblemError | undefined {
  if (error.validation) {
    const context = error.validationContext ?? 'body';
    const prefix = context === 'body' ? '' : `/${context}`;
    const fields = toFieldErrors(error.validation as Parameters<typeof toFieldErrors>[0]).map((e) => ({
      field: prefix ? `${prefix}${e.field === '/' ? '' : e.field}` : e.field,
      message: e.message,
    }));
    return problems.validation(fields);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problems.unsupportedMediaType(request.headers['content-type'] ?? 'no content type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problems.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problems.malformedJson('The body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problems.malformedJson('The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problems.malformedJson('Content-Length does not match the body.');
    default:
      return undefined;
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblemError): FastifyReply {
  const body: Problem = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    instance: (request.url.split('?')[0] ?? request.url).slice(0, 256),
    requestId: String(request.id),
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  return reply.code(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(body);
}

async function problemPlugin(app: FastifyInstance, options: { bodyLimit: number }): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem =
      error instanceof HttpProblemError
        ? error
        : (fromFastifyError(error, request, options.bodyLimit) ??
          (error.statusCode && error.statusCode >= 400 && error.statusCode < 500
            ? new HttpProblemError(error.statusCode, 'HERALD_ERR_VALIDATION', 'Bad request', error.message)
            : undefined));
    if (problem) {
      if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, problem.title);
      else request.log.info({ code: problem.code, status: problem.status, detail: problem.detail }, 'request refused');
      return sendProblem(request, reply, problem);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, problems.internal());
  });

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, problems.notFound(request.method, (request.url.split('?')[0] ?? '').slice(0, 256))));
}

export default fp(problemPlugin, { name: 'herald-problem', fastify: '5.x' });
