/**
 * The body parser, for every content type (a catch-all, so that the media type is judged here and
 * not by matching the header text):
 * - the media type must be application/json (or a +json type), any case; a `charset` parameter
 *   (quoted or not) must be utf-8; anything else is 415;
 * - the bytes must be valid UTF-8 (400 naming the problem, never turned into U+FFFD);
 * - the JSON must parse (400 saying where, never echoing the body), without keys that would
 *   pollute prototypes (__proto__, constructor.prototype);
 * - the document is bounded in shape: at most MAX_JSON_NODES values and MAX_JSON_DEPTH levels, so
 *   that no body within the size limit can make validation expensive (a real message has a few
 *   dozen values; metadata holds at most 32).
 */
import { parse as parseContentType } from 'content-type';
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import type { FastifyInstance } from 'fastify';
import { checkJsonShape } from '@herald/contracts';
import { problems } from '../errors';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a content type is refused, or undefined when it is JSON in UTF-8. */
export function contentTypeProblem(header: string | undefined): string | undefined {
  if (!header) return 'no content type';
  let type: string;
  let charset: string | undefined;
  try {
    const parsed = parseContentType(header);
    type = parsed.type;
    charset = parsed.parameters['charset'];
  } catch {
    return 'a malformed content type';
  }
  if (!JSON_TYPE.test(type)) return type.slice(0, 100);
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return `charset ${charset.slice(0, 40)}`;
  return undefined;
}

/** The position of a JSON syntax error, from the parser's message (which otherwise quotes the body). */
function syntaxErrorPosition(message: string): string {
  const at = /position (\d+)/.exec(message);
  return at ? ` (at character ${at[1]})` : '';
}

async function jsonBodyPlugin(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const refused = contentTypeProblem(request.headers['content-type']);
    if (refused !== undefined) return done(problems.unsupportedMediaType(refused), undefined);
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(problems.malformedJson('The body is not valid UTF-8; send JSON encoded as UTF-8.'), undefined);
    }
    if (text.trim().length === 0) return done(problems.malformedJson('The body is empty; send a JSON object.'), undefined);
    let value: unknown;
    try {
      value = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail = /prototype/.test(message)
        ? 'The body contains a forbidden key (__proto__ or constructor.prototype).'
        : `The body is not valid JSON${syntaxErrorPosition(message)}.`;
      return done(problems.malformedJson(detail), undefined);
    }
    const shape = checkJsonShape(value);
    if (shape) return done(problems.malformedJson(shape), undefined);
    done(null, value);
  });
}

export default fp(jsonBodyPlugin, { name: 'herald-json-body', fastify: '5.x' });
