/** @herald/contracts: the wire contracts every Herald service shares. */
export * from './names';
export * from './channels';
export * from './status';
export * from './ids';
export * from './schema-kit';
export * from './http/problem';
export * from './http/north';
export * from './http/messages';
export * from './http/replays';
export * from './http/suppressions';
export * from './events/north';
export * from './events/south';
export * from './events/receipts';
export * from './jobs/jobs';
export * from './validation';
export * from './json-shape';
export * from './validators';
