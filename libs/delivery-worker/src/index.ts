/** @herald/delivery-worker: what an email or SMS worker process runs. */
export * from './config';
export * from './run';
export * from './processor';
