/** @herald/process: processes for the tools and the test harness (not for the services). */
export * from './child';
export * from './daemon';
export * from './files';
export * from './lock';
export * from './ports';
export * from './proc';
export * from './wait';
