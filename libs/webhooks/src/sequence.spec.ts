import type { DeliveryEventType } from '@herald/contracts';
import { deliverySequence } from './sequence';

describe('deliverySequence', () => {
  it('grows along the life of a delivery: queued, failed attempts, the send, receipts, a replay', () => {
    const life: Array<[number, number, DeliveryEventType]> = [
      [0, 0, 'queued'],
      [0, 1, 'sending'],
      [0, 1, 'attempt_failed'],
      [0, 2, 'sending'],
      [0, 2, 'sent'],
      [0, 2, 'deferred'],
      [0, 2, 'delivered'],
      [0, 2, 'complained'],
      [0, 2, 'opted_out'],
      [1, 0, 'queued'],
      [1, 1, 'sending'],
      [1, 1, 'failed'],
    ];
    const sequences = life.map(([g, a, t]) => deliverySequence(g, a, t));
    for (let i = 1; i < sequences.length; i += 1) expect(sequences[i]).toBeGreaterThan(sequences[i - 1] as number);
  });

  it('puts a bounce (failed after sent) after the send it reports on', () => {
    expect(deliverySequence(0, 1, 'failed')).toBeGreaterThan(deliverySequence(0, 1, 'sent'));
  });

  it('is the same for the same event, and a safe integer for large generations', () => {
    expect(deliverySequence(3, 7, 'sent')).toBe(deliverySequence(3, 7, 'sent'));
    expect(Number.isSafeInteger(deliverySequence(100_000, 999, 'opted_out'))).toBe(true);
  });
});
