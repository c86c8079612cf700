import type { NorthRequest } from '@herald/contracts';
import { SendPolicy, parseSenders } from './send-policy';

const sms = (phone: string): NorthRequest => ({ to: { phone }, channels: ['sms'], sms: { text: 'code 123456' } });
const email = (from?: string): NorthRequest => ({ to: { email: 'ada@example.com' }, channels: ['email'], email: { subject: 's', text: 't', ...(from ? { from } : {}) } });

describe('SendPolicy', () => {
  const policy = new SendPolicy({ smsAllowed: ['+44', 'US', 'CA'], senders: parseSenders('acme:no-reply@acme.com|@acme.io,globex:@globex.com') });

  it.each(['+447700900123', '+447911123456', '+441534123456', '+12015550123', '+16135550123'])('sends an SMS to %s', (phone) => {
    expect(policy.check(sms(phone), 'acme')).toEqual([]);
  });

  it.each([
    ['+18765550123', 'JM'],
    ['+33612345678', 'FR'],
    ['+882123456789', '+882'],
  ])('refuses an SMS to %s (%s)', (phone, where) => {
    expect(policy.check(sms(phone), 'acme')).toEqual([{ field: '/to/phone', message: expect.stringContaining(`(${where})`) }]);
  });

  it.each(['+449012345678', '+19005550100'])('refuses premium-rate %s even in an allowed country', (phone) => {
    expect(policy.check(sms(phone), 'acme')).toEqual([{ field: '/to/phone', message: expect.stringContaining('premium-rate') }]);
  });

  it('allows every destination with "*"', () => {
    expect(new SendPolicy({ smsAllowed: ['*'], senders: new Map() }).check(sms('+33612345678'), 'acme')).toEqual([]);
  });

  it('checks a phone number only when SMS is asked for', () => {
    expect(policy.check({ ...email(), to: { email: 'ada@example.com', phone: '+33612345678' } }, 'acme')).toEqual([]);
  });

  it.each([
    ['acme', 'no-reply@acme.com', true],
    ['acme', 'No-Reply@ACME.com', true],
    ['acme', 'anyone@acme.io', true],
    ['acme', 'someone@acme.com', false],
    ['acme', 'x@globex.com', false],
    ['globex', 'billing@globex.com', true],
    ['initech', 'x@initech.com', false],
  ] as const)('for %s, email.from %s is allowed: %s', (client, from, allowed) => {
    expect(policy.check(email(from), client)).toEqual(allowed ? [] : [{ field: '/email/from', message: 'is not a sender identity allowed for this API client' }]);
  });

  it('lets every client use the default sender', () => {
    expect(policy.check(email(), 'initech')).toEqual([]);
  });
});
