import { ConfigError } from '@herald/runtime';
import type { EmailJob } from '@herald/contracts';
import { emailParts, formatMailbox, parseMailbox } from './email-parts';

const job = (content: Partial<EmailJob['content']> = {}): EmailJob => ({
  v: 1,
  messageId: '0190a0e0-0000-7000-8000-000000000001',
  deliveryId: '0190a0e0-0000-7000-8000-000000000002',
  generation: 0,
  acceptedAt: '2026-12-01T10:00:00.000Z',
  to: 'ada@example.com',
  content: { subject: 'Hi', text: 'Hello', ...content },
});
const defaults = { from: parseMailbox('Herald <no-reply@herald.test>'), messageIdDomain: 'herald.test' };

describe('parseMailbox', () => {
  it.each([
    ['no-reply@herald.test', { address: 'no-reply@herald.test' }],
    ['Herald <no-reply@herald.test>', { address: 'no-reply@herald.test', name: 'Herald' }],
    ['"Acme, Inc." <news@acme.test>', { address: 'news@acme.test', name: 'Acme, Inc.' }],
    ['<news@acme.test>', { address: 'news@acme.test' }],
  ])('reads %s', (value, expected) => {
    expect(parseMailbox(value)).toEqual(expected);
  });

  it('refuses what is not a mailbox, naming the variable', () => {
    expect(() => parseMailbox('Herald', 'EMAIL_FROM')).toThrow(ConfigError);
    expect(() => parseMailbox('a <b>')).toThrow(/EMAIL_FROM/);
  });
});

describe('formatMailbox', () => {
  it('quotes names with specials and encodes non-ASCII names only when asked', () => {
    expect(formatMailbox({ address: 'a@b.test', name: 'Acme News' })).toBe('Acme News <a@b.test>');
    expect(formatMailbox({ address: 'a@b.test', name: 'Acme, "Inc"' })).toBe('"Acme, \\"Inc\\"" <a@b.test>');
    expect(formatMailbox({ address: 'a@b.test', name: 'Zoë' }, { encodeNonAscii: true })).toBe('=?UTF-8?B?Wm/Dqw==?= <a@b.test>');
    expect(formatMailbox({ address: 'a@b.test' })).toBe('a@b.test');
  });
});

describe('emailParts', () => {
  it("uses the message's sender, name and Reply-To, and adds RFC 8058 one-click headers for an unsubscribe URL", () => {
    const parts = emailParts(job({ from: 'news@acme.test', fromName: 'Acme', replyTo: 'help@acme.test', unsubscribeUrl: 'https://acme.test/u?x=1' }), defaults);
    expect(parts).toEqual({
      from: { address: 'news@acme.test', name: 'Acme' },
      replyTo: 'help@acme.test',
      messageIdHeader: '<0190a0e0-0000-7000-8000-000000000002@herald.test>',
      headers: {
        'X-Herald-Message-Id': '0190a0e0-0000-7000-8000-000000000001',
        'X-Herald-Delivery-Id': '0190a0e0-0000-7000-8000-000000000002',
        'List-Unsubscribe': '<https://acme.test/u?x=1>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      ids: { herald_message_id: '0190a0e0-0000-7000-8000-000000000001', herald_delivery_id: '0190a0e0-0000-7000-8000-000000000002' },
    });
  });

  it('falls back to EMAIL_FROM (with its name, unless the message names one) and adds no unsubscribe headers without a URL', () => {
    expect(emailParts(job(), defaults)).toMatchObject({ from: { address: 'no-reply@herald.test', name: 'Herald' } });
    expect(emailParts(job({ fromName: 'Billing' }), defaults).from).toEqual({ address: 'no-reply@herald.test', name: 'Billing' });
    expect(Object.keys(emailParts(job(), defaults).headers)).toEqual(['X-Herald-Message-Id', 'X-Herald-Delivery-Id']);
    expect(emailParts(job(), defaults)).not.toHaveProperty('replyTo');
  });
});
