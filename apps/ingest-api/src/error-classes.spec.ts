/**
 * ingest-api's own error classes extend HeraldError with a code of their own, distinct from each
 * other's and from those of the libraries it uses (found by importing the modules that export
 * them).
 */
import * as contracts from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import * as kafka from '@herald/kafka';
import * as runtime from '@herald/runtime';
import * as tracking from '@herald/tracking';
import * as webhooks from '@herald/webhooks';
import * as errorsModule from './errors';
import * as messageService from './services/message-service';

type ErrorClass = { name: string; prototype: unknown; heraldCode?: unknown };

const errorClasses = (modules: Array<Record<string, unknown>>): ErrorClass[] => [
  ...new Set(modules.flatMap((m) => Object.values(m)).filter((v): v is ErrorClass => typeof v === 'function' && v !== HeraldError && (v as ErrorClass).prototype instanceof Error)),
];

describe("ingest-api's error classes", () => {
  const own = errorClasses([errorsModule, messageService]);

  it('are found', () => {
    expect(own.map((c) => c.name)).toEqual(expect.arrayContaining(['HttpProblemError', 'IdempotencyKeyReusedError', 'IdempotencyKeyInProgressError', 'NotAllowedError', 'MessageTooLargeError', 'PublishFailedError']));
  });

  it('extend HeraldError, each with its own HERALD_ERR_INGEST_* code, none shared with the libraries', () => {
    const libraries = errorClasses([contracts, runtime, kafka, tracking, webhooks]).filter((c) => (c.prototype as object) instanceof HeraldError);
    const taken = new Set(libraries.map((c) => c.heraldCode));
    for (const cls of own) {
      expect(cls.prototype instanceof HeraldError).toBe(true);
      expect(Object.hasOwn(cls, 'heraldCode')).toBe(true);
      expect(cls.heraldCode).toMatch(/^HERALD_ERR_INGEST_[A-Z0-9_]+$/);
      expect(taken.has(cls.heraldCode)).toBe(false);
      taken.add(cls.heraldCode);
    }
  });

  it('keep their own fields: HttpProblemError its problem code, next to the class code', () => {
    const problem = errorsModule.problems.messageNotFound('m1');
    expect(problem.code).toBe('HERALD_ERR_MESSAGE_NOT_FOUND');
    expect(problem.heraldCode).toBe('HERALD_ERR_INGEST_HTTP_PROBLEM');
    expect(problem.name).toBe('HttpProblemError');
    const failed = new messageService.PublishFailedError(new Error('broker down'));
    expect(failed.cause).toEqual(new Error('broker down'));
    expect(failed.heraldCode).toBe('HERALD_ERR_INGEST_PUBLISH_FAILED');
  });
});
