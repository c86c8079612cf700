import { moduleOf, summarizeProfile, type CpuProfile } from './profile';

describe('moduleOf', () => {
  it('names npm packages, Herald projects and Node internals', () => {
    expect(moduleOf('file:///work/main/node_modules/kafkajs/src/producer/index.js')).toBe('kafkajs');
    expect(moduleOf('file:///work/main/node_modules/@prisma/client/runtime/client.js')).toBe('@prisma/client');
    expect(moduleOf('/work/main/libs/delivery/dist/deliver.js')).toBe('@herald/delivery');
    expect(moduleOf('/work/main/libs/tracking/dist/generated/prisma/internal/class.js')).toBe('@herald/tracking (generated Prisma client)');
    expect(moduleOf('file:///work/main/apps/email-worker/dist/main.js')).toBe('app email-worker');
    expect(moduleOf('node:internal/streams/readable')).toBe('node:internal/streams/readable');
    expect(moduleOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});

describe('summarizeProfile', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 4000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3, 4] },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'send', url: 'file:///r/node_modules/kafkajs/src/a.js', lineNumber: 9 } },
      { id: 4, callFrame: { functionName: 'claim', url: '/r/libs/tracking/dist/send-ledger.js', lineNumber: 0 } },
    ],
    // Each sample lasts until the next one (as in Chrome DevTools): idle 1 ms, send 2 ms, claim 1 ms.
    samples: [2, 3, 3, 4, 2],
    timeDeltas: [0, 1000, 1000, 1000, 1000],
  };

  it('adds self time per module and function, leaving idle out of the shares', () => {
    const s = summarizeProfile([profile]);
    expect(s.totalMs).toBe(4);
    expect(s.busyMs).toBe(3);
    expect(s.modules[0]).toEqual({ name: 'kafkajs', ms: 2, share: 2 / 3 });
    expect(s.modules[1]).toEqual({ name: '@herald/tracking', ms: 1, share: 1 / 3 });
    expect(s.functions.map((f) => f.name)).toContain('send kafkajs/src/a.js:10');
  });
});
