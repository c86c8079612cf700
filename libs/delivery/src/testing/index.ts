/** @herald/delivery/testing: the in-memory ledger and the ledger conformance suite (test code only). */
export * from './memory-ledger';
export * from './ledger-conformance';
export * from './memory-provider-state';
