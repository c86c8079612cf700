import { DELIVERY_STATUSES, advance, canAdvance, isFinal, isTerminal, statusRank, type DeliveryStatus } from './status';

describe('delivery status state machine', () => {
  it('moves forward along accepted -> queued -> sending -> sent -> delivered', () => {
    let status: DeliveryStatus = 'accepted';
    for (const next of ['queued', 'sending', 'sent', 'delivered'] as const) {
      expect(canAdvance(status, next)).toBe(true);
      status = advance(status, next);
      expect(status).toBe(next);
    }
  });

  it('never moves backwards: a late event leaves the status as it is', () => {
    expect(advance('sent', 'sending')).toBe('sent');
    expect(advance('sending', 'queued')).toBe('sending');
    expect(advance('queued', 'accepted')).toBe('queued');
  });

  it('ignores a repeated event', () => {
    for (const status of DELIVERY_STATUSES) expect(canAdvance(status, status)).toBe(false);
  });

  it('can fail from any status that is not terminal, including after sent (a bounce)', () => {
    for (const status of ['accepted', 'queued', 'sending', 'sent'] as const) {
      expect(advance(status, 'failed')).toBe('failed');
    }
  });

  it('treats delivered and failed as terminal: nothing moves them', () => {
    for (const terminal of ['delivered', 'failed'] as const) {
      expect(isTerminal(terminal)).toBe(true);
      for (const next of DELIVERY_STATUSES) expect(advance(terminal, next)).toBe(terminal);
    }
  });

  it('skips steps when an event arrives before the ones it follows', () => {
    expect(advance('accepted', 'sent')).toBe('sent');
    expect(advance('queued', 'delivered')).toBe('delivered');
  });

  it('does not change status for a failed attempt (a retry follows)', () => {
    expect(canAdvance('sending', 'attempt_failed')).toBe(false);
    expect(advance('sending', 'attempt_failed')).toBe('sending');
  });

  it('ranks strictly along the happy path, terminals at the top', () => {
    const ranks = ['accepted', 'queued', 'sending', 'sent', 'delivered'].map((s) => statusRank(s as DeliveryStatus));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(statusRank('failed')).toBe(statusRank('delivered'));
  });

  it('calls sent, delivered and failed final, the rest not', () => {
    expect(DELIVERY_STATUSES.filter(isFinal)).toEqual(['sent', 'delivered', 'failed']);
  });
});
