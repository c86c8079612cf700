/** @herald/delivery: the guarded send shared by the email and SMS workers. */
export * from './provider';
export * from './ports';
export * from './errors';
export * from './policy';
export * from './deliver';
export * from './summary';
export * from './breaker';
export * from './routing';
