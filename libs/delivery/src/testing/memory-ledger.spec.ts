import { MemoryLedger } from './memory-ledger';
import { ledgerConformance } from './ledger-conformance';

describe('MemoryLedger passes the send ledger conformance suite', () => {
  const ledger = new MemoryLedger();
  let n = 0;
  it.each(ledgerConformance.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.run({
      ledger,
      newDelivery: async () => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`,
      expireLease: async (id) => ledger.expireLease(id),
      suppress: async (client, channel, address, reason) => ledger.suppress(client, channel, address, reason),
    });
  });
});
