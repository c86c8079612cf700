/**
 * Queues as Herald runs them. Job options are explicit per queue: attempts with exponential
 * backoff and jitter, kept completed and failed jobs capped by count and age so that Redis memory
 * stays bounded, and a key prefix that namespaces a deployment (or a test).
 */
import { Queue, type DefaultJobOptions, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { HERALD_BACKOFF } from './backoff';

export interface RetentionSettings {
  /** Completed jobs kept (for inspection and job-id deduplication), by count and by age in seconds. */
  keepCompleted: number;
  keepCompletedAgeSec: number;
  /** Failed jobs kept (the dead letters in Redis; the durable record is in tracking). */
  keepFailed: number;
  keepFailedAgeSec: number;
}

export interface RetrySettings {
  attempts: number;
  /** First retry after about this many milliseconds, then doubling. */
  backoffMs: number;
  /** Share of each delay that is random (0..1), so that retries of a burst spread out. */
  jitter: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  keepCompleted: 10_000,
  keepCompletedAgeSec: 3_600,
  keepFailed: 50_000,
  keepFailedAgeSec: 7 * 24 * 3_600,
};

/** Kept completed and failed jobs, capped by count and age (bounds Redis memory). */
function retentionOptions(retention: RetentionSettings): Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'> {
  return {
    removeOnComplete: { count: retention.keepCompleted, age: retention.keepCompletedAgeSec },
    removeOnFail: { count: retention.keepFailed, age: retention.keepFailedAgeSec },
  };
}

export function jobOptions(retry: RetrySettings, retention: RetentionSettings = DEFAULT_RETENTION): DefaultJobOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: retry.jitter },
    ...retentionOptions(retention),
  };
}

/**
 * Channel jobs (EmailQueue, SmsQueue): the worker decides when to give up (its maximum attempts
 * and maximum age) and how long to wait between attempts (the `herald` strategy), so the job
 * carries only a generous upper bound on attempts.
 */
export function deliveryJobOptions(retention: RetentionSettings = DEFAULT_RETENTION): DefaultJobOptions {
  return {
    attempts: 1_000,
    backoff: { type: HERALD_BACKOFF },
    ...retentionOptions(retention),
  };
}

export interface QueueSettings {
  connection: Redis;
  prefix: string;
  defaultJobOptions: DefaultJobOptions;
}

export function createQueue<T>(name: string, settings: QueueSettings): Queue<T> {
  return new Queue<T>(name, {
    connection: settings.connection,
    prefix: settings.prefix,
    defaultJobOptions: settings.defaultJobOptions,
    streams: { events: { maxLen: 10_000 } },
  });
}

/** Jobs waiting to be worked on (waiting, delayed and prioritized): what backpressure watches. */
export async function queueBacklog(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export type { JobsOptions };
