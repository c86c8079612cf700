/** @herald/testing: the test harness (test code only). */
export { waitFor } from '@herald/runtime';
export * from './config';
export * from './names';
export * from './ports';
export * from './process';
export * from './sinks';
export * from './emulators';
export * from './provider-wiring';
export * from './receipt-listener';
export * from './services';
export * from './factories';
export * from './stack';
export * from './kafka';
export * from './redis';
export * from './load';
export * from './audit';
export { createTestDatabase, type TestDatabase } from '@herald/tracking/testing';
