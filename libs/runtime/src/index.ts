/** @herald/runtime: the small pieces every Herald process needs. */
export * from './config';
export * from './logger';
export * from './lifecycle';
export * from './health';
export * from './health-server';
export * from './metrics';
export * from './retry';
export * from './backoff';
export * from './group-commit';
