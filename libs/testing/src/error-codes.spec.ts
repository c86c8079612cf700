/**
 * Every error class the libraries export extends HeraldError and has a stable code of its own
 * (libs/errors). The classes are found by importing each library's entry points and looking at
 * what they export, not by reading sources: a new exported error that extends Error directly, or
 * that forgets its own `heraldCode` (and so inherits its parent's), fails here.
 *
 * Not covered: @herald/client (the published client imports nothing of Herald's; HeraldApiError
 * stays as it is), @herald/tracking/migrate (compiled alone, without the workspace libraries, for
 * the migration CLI), the apps (libraries may not import apps) and the tools' own errors.
 */
import * as contracts from '@herald/contracts';
import * as delivery from '@herald/delivery';
import * as deliveryTesting from '@herald/delivery/testing';
import * as deliveryWorker from '@herald/delivery-worker';
import * as errors from '@herald/errors';
import { HeraldError } from '@herald/errors';
import * as kafka from '@herald/kafka';
import * as processLib from '@herald/process';
import * as queues from '@herald/queues';
import * as runtime from '@herald/runtime';
import * as tracking from '@herald/tracking';
import * as trackingTesting from '@herald/tracking/testing';
import * as webhooks from '@herald/webhooks';
import { type ErrorClass, exportedErrorClasses, heraldCodeProblems } from './error-codes';

const entryPoints: Record<string, Record<string, unknown>> = {
  '@herald/contracts': contracts,
  '@herald/delivery': delivery,
  '@herald/delivery/testing': deliveryTesting,
  '@herald/delivery-worker': deliveryWorker,
  '@herald/errors': errors,
  '@herald/kafka': kafka,
  '@herald/process': processLib,
  '@herald/queues': queues,
  '@herald/runtime': runtime,
  '@herald/tracking': tracking,
  '@herald/tracking/testing': trackingTesting,
  '@herald/webhooks': webhooks,
};

/**
 * Third-party classes a library re-exports as they are: BullMQ's, which a worker throws so that
 * BullMQ itself acts on them (no retry; delay the job). Not Herald's, so no Herald code.
 */
const foreign: Record<string, string[]> = { '@herald/queues': ['UnrecoverableError', 'DelayedError'] };

describe('the error classes of the libraries', () => {
  const found = exportedErrorClasses(entryPoints, (entry, name) => foreign[entry]?.includes(name) ?? false);

  it('are found (the enumeration works)', () => {
    const names = found.map(({ cls }) => cls.name);
    // The ones there were when this spec was written: if these go missing, the checks below check nothing.
    expect(names).toEqual(
      expect.arrayContaining([
        'ContractViolationError',
        'ConfigError',
        'DeadlineExceededError',
        'WaitAbortedError',
        'ChildNotReadyError',
        'ProducerClosedError',
        'SendTimeoutError',
        'RecordTooLargeError',
        'BacklogFullError',
        'ProviderError',
        'RetryLaterError',
        'ProvidersUnavailableError',
        'SendHeldError',
        'DeliveryFailedError',
        'InvalidCursorError',
        'SecretUnreadableError',
        'TargetRefusedError',
      ]),
    );
  });

  it('leave aside only the re-exported classes named as foreign, which exist and are not Herald errors', () => {
    for (const [entry, names] of Object.entries(foreign)) {
      for (const name of names) {
        const value = entryPoints[entry]?.[name] as ErrorClass | undefined;
        expect(typeof value).toBe('function');
        expect(value?.prototype instanceof Error && !(value.prototype instanceof HeraldError)).toBe(true);
      }
    }
  });

  it('all extend HeraldError, each with its own code HERALD_ERR_<PROJECT>_<WHAT>, no two alike', () => {
    expect(heraldCodeProblems(found, /^HERALD_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/)).toEqual([]);
  });
});
