/** @herald/queues: BullMQ as Herald runs it. */
export { Queue, Worker, UnrecoverableError, DelayedError, type Job, type Processor, type WorkerOptions } from 'bullmq';
export type { Redis } from 'ioredis';
export * from './connection';
export * from './queues';
export * from './backoff';
export * from './provider-state';
export * from './fair-share';
