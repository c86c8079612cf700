/** @herald/errors: the base class of Herald's errors. Imports nothing. */
export * from './herald-error';
