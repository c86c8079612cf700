/** @herald/tracking: delivery tracking in PostgreSQL. */
export * from './prisma';
export * from './tracking-service';
export * from './send-ledger';
export * from './replay';
export * from './suppressions';
export * from './webhooks';
export { suppressionReason } from './receipts';
export * from './errors';
export { collapseEvents, type DeliveryUpdate } from './status-batch';
