/** @herald/webhooks: status callbacks to API clients, the domain part (no infrastructure). */
export * from './addresses';
export * from './config';
export * from './ids';
export * from './outcome';
export * from './payload';
export * from './resolver';
export * from './schedule';
export * from './secrets';
export * from './sequence';
export * from './signing';
