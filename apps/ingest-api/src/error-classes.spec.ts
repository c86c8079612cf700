/**
 * ingest-api's own error classes extend HeraldError with a code of their own, distinct from each
 * other's and from those of the libraries it uses (found by importing the modules that export
 * them).
 */
import * as contracts from '@herald/contracts';
import * as kafka from '@herald/kafka';
import * as runtime from '@herald/runtime';
import { exportedErrorClasses, heraldCodeProblems } from '@herald/testing';
import * as tracking from '@herald/tracking';
import * as webhooks from '@herald/webhooks';
import * as errorsModule from './errors';
import * as messageService from './services/message-service';

describe("ingest-api's error classes", () => {
  const own = exportedErrorClasses({ errors: errorsModule, 'message-service': messageService });

  it('extend HeraldError, each with its own HERALD_ERR_INGEST_* code, none shared with the libraries', () => {
    expect(own.map(({ cls }) => cls.name)).toEqual(
      expect.arrayContaining(['HttpProblemError', 'IdempotencyKeyReusedError', 'IdempotencyKeyInProgressError', 'NotAllowedError', 'MessageTooLargeError', 'PublishFailedError']),
    );
    const taken = new Set<unknown>();
    expect(heraldCodeProblems(exportedErrorClasses({ contracts, runtime, kafka, tracking, webhooks }), /^HERALD_ERR_/, taken)).toEqual([]);
    expect(taken.size).toBeGreaterThanOrEqual(5);
    expect(heraldCodeProblems(own, /^HERALD_ERR_INGEST_[A-Z0-9_]+$/, taken)).toEqual([]);
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
