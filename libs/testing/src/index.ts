/** @herald/testing: the test harness (test code only). */
export { freePort, waitFor } from '@herald/process';
export * from './config';
export * from './names';
export * from './process';
export * from './sinks';
export * from './emulators';
export * from './provider-wiring';
export * from './receipt-listener';
export * from './services';
export * from './factories';
export * from './stack';
export * from './kafka';
export * from './load';
export * from './audit';
export * from './dns';
export * from './webhook-receiver';
export { createTestDatabase, type TestDatabase } from '@herald/tracking/testing';
export * from './error-codes';
