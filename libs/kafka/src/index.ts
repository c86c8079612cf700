/** @herald/kafka: the only module that imports the Kafka client library. */
export type { Kafka } from 'kafkajs';
export * from './client';
export * from './config';
export * from './producer';
export * from './consumer';
export * from './admin';
export * from './delivery-events';
export * from './dead-letter';
