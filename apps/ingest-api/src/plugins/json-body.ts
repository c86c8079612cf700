/**
 * The JSON body parser: only application/json is accepted (anything else gets 415), keys that
 * would pollute prototypes (__proto__, constructor.prototype) are refused with a message that says
 * so, and a syntax error names where it is.
 */
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import type { FastifyInstance } from 'fastify';
import { problems } from '../errors';

async function jsonBodyPlugin(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0) return done(problems.malformedJson('The body is empty; send a JSON object.'), undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail = /prototype/.test(message)
        ? 'The body contains a forbidden key (__proto__ or constructor.prototype).'
        : `The body is not valid JSON: ${message}`;
      done(problems.malformedJson(detail), undefined);
    }
  });
}

export default fp(jsonBodyPlugin, { name: 'herald-json-body', fastify: '5.x' });
