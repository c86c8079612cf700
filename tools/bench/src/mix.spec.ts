import { northRequestValidator } from '@herald/contracts';
import { channelShare, deliveriesPerMessage, formatMix, mixRequests, mixSequence, parseMix } from './mix';

describe('the message mix', () => {
  it('parses weights and refuses nonsense', () => {
    expect(parseMix('email=40,sms=40,both=20')).toEqual({ email: 40, sms: 40, both: 20 });
    expect(() => parseMix('fax=1')).toThrow(/unknown kind/);
    expect(() => parseMix('email=-1')).toThrow(/non-negative/);
    expect(() => parseMix('email=0')).toThrow(/positive/);
  });

  it('follows the weights exactly over a full cycle, interleaved', () => {
    const seq = mixSequence({ email: 2, sms: 2, both: 1 }, 10);
    expect(seq.filter((k) => k === 'email')).toHaveLength(4);
    expect(seq.filter((k) => k === 'both')).toHaveLength(2);
    expect(seq.slice(0, 3)).not.toEqual(['email', 'email', 'email']);
  });

  it('counts deliveries per message and channel shares', () => {
    const mix = parseMix('email=40,sms=40,both=20');
    expect(deliveriesPerMessage(mix)).toBeCloseTo(1.2);
    expect(channelShare(mix, 'email')).toBeCloseTo(0.6);
    expect(formatMix(mix)).toBe('email 40%, sms 40%, both 20%');
  });

  it('builds requests that the API contract accepts', () => {
    for (const request of mixRequests(parseMix('email=1,sms=1,both=1'), 6)) {
      expect(northRequestValidator.errors(request)).toEqual([]);
    }
  });
});
