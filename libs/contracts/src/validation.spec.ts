import { northEventValidator, northRequestValidator } from './validators';
import { newMessageId } from './ids';

const valid = {
  to: { email: 'ada@example.com', phone: '+447700900123' },
  channels: ['email', 'sms'],
  email: { subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' },
  sms: { text: 'Hello Ada' },
  metadata: {},
};

const errorsOf = (body: unknown) => northRequestValidator.errors(body);

describe('NorthRequest contract', () => {
  it('accepts the documented example', () => {
    expect(errorsOf(valid)).toEqual([]);
  });

  it('accepts a single channel with only what that channel needs', () => {
    expect(errorsOf({ to: { phone: '+15551234567' }, channels: ['sms'], sms: { text: 'hi' } })).toEqual([]);
    expect(errorsOf({ to: { email: 'a@b.co' }, channels: ['email'], email: { subject: 's', html: '<b>x</b>' } })).toEqual([]);
  });

  it.each([
    ['a missing email recipient', { ...valid, to: { phone: '+447700900123' } }, { field: '/to/email', message: 'is required' }],
    ['a missing phone', { ...valid, to: { email: 'ada@example.com' } }, { field: '/to/phone', message: 'is required' }],
    ['missing email content', { ...valid, email: undefined }, { field: '/email', message: 'is required' }],
    ['missing sms content', { ...valid, sms: undefined }, { field: '/sms', message: 'is required' }],
    ['an email without a body', { ...valid, email: { subject: 'x' } }, { field: '/email', message: 'must have one of: text, html' }],
    ['an invalid email address', { ...valid, to: { ...valid.to, email: 'not-an-email' } }, { field: '/to/email', message: 'must be a valid email address' }],
    ['an address with a header injected', { ...valid, to: { ...valid.to, email: 'a@b.co\r\nBcc: x@y.z' } }, { field: '/to/email', message: 'must be a valid email address' }],
    ['a phone not in E.164', { ...valid, to: { ...valid.to, phone: '07700900123' } }, { field: '/to/phone', message: 'must be a phone number in E.164 form, e.g. +447700900123' }],
    ['an unknown channel', { ...valid, channels: ['email', 'fax'] }, { field: '/channels/1', message: 'must be one of: email, sms' }],
    ['no channel', { ...valid, channels: [] }, { field: '/channels', message: 'must have at least 1 item' }],
    ['a repeated channel', { ...valid, channels: ['sms', 'sms'] }, { field: '/channels', message: 'must not repeat an item' }],
    ['CR/LF in a subject', { ...valid, email: { ...valid.email, subject: 'Hi\r\nBcc: evil@example.com' } }, { field: '/email/subject', message: 'must be one line: no CR, LF or other control characters' }],
    ['an empty subject', { ...valid, email: { ...valid.email, subject: '' } }, { field: '/email/subject', message: 'must not be empty' }],
    ['an unknown field', { ...valid, urgency: 'high' }, { field: '/urgency', message: 'is not an allowed field' }],
    ['an oversized SMS', { ...valid, sms: { text: 'x'.repeat(1601) } }, { field: '/sms/text', message: 'must be at most 1600 characters long' }],
    ['a metadata value that is an object', { ...valid, metadata: { a: { b: 1 } } }, { field: '/metadata/a', message: 'must be a string or a number or a boolean or a null' }],
    ['channels that are not an array', { ...valid, channels: 'email' }, { field: '/channels', message: 'must be an array' }],
    ['a TAB-free control character in a subject', { ...valid, email: { ...valid.email, subject: 'Hi\u0007there' } }, { field: '/email/subject', message: 'must be one line: no CR, LF or other control characters' }],
    ['a NUL character in a body', { ...valid, email: { ...valid.email, text: 'Hello\u0000Ada' } }, { field: '/email/text', message: 'must be valid text: no NUL characters or unpaired surrogates' }],
    ['an unpaired surrogate in an SMS', { ...valid, sms: { text: 'Hi \ud83d' } }, { field: '/sms/text', message: 'must be valid text: no NUL characters or unpaired surrogates' }],
    ['a metadata key that is too long', { ...valid, metadata: { ['k'.repeat(65)]: 1 } }, { field: `/metadata/${'k'.repeat(65)}`, message: 'is not an allowed key (1 to 64 characters, one line)' }],
    ['a metadata key with a line break', { ...valid, metadata: { 'a\nb': 1 } }, { field: '/metadata/a\nb', message: 'is not an allowed key (1 to 64 characters, one line)' }],
  ])('rejects %s, naming the field', (_name, body, expected) => {
    expect(errorsOf(JSON.parse(JSON.stringify(body)))).toContainEqual(expected);
  });

  it('rejects a body that is not an object', () => {
    expect(errorsOf([])).toContainEqual({ field: '/', message: 'must be an object' });
    expect(errorsOf('hello')).toContainEqual({ field: '/', message: 'must be an object' });
  });

  it('reports every problem at once', () => {
    const fields = errorsOf({ to: {}, channels: ['email', 'sms'] }).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/to', '/to/email', '/to/phone', '/email', '/sms']));
  });

  it('reports a bad metadata key once, on the key', () => {
    expect(errorsOf({ ...valid, metadata: { 'a\nb': 1 } })).toEqual([{ field: '/metadata/a\nb', message: 'is not an allowed key (1 to 64 characters, one line)' }]);
  });

  it('accepts paired surrogates (emoji) and tabs in a subject', () => {
    expect(errorsOf({ ...valid, email: { ...valid.email, subject: 'Hi\t😀 there' } })).toEqual([]);
  });

  it('counts length in characters, not bytes (emoji are one character each)', () => {
    expect(errorsOf({ ...valid, sms: { text: '😀'.repeat(1600) } })).toEqual([]);
  });
});

describe('NorthEvent contract', () => {
  it('accepts a message.accepted envelope and refuses an unknown version', () => {
    const event = { v: 1, kind: 'message.accepted', messageId: newMessageId(), acceptedAt: new Date().toISOString(), client: 'default', request: valid };
    expect(northEventValidator.check(event)).toBe(true);
    expect(northEventValidator.check({ ...event, v: 2 })).toBe(false);
    expect(() => northEventValidator.parse({ ...event, messageId: 'x' })).toThrow(/NorthEvent is invalid/);
  });
});

describe('field errors of hostile input', () => {
  it('lists at most 20, however many fields are wrong', () => {
    const metadata = Object.fromEntries(Array.from({ length: 8_000 }, (_, i) => [`k${i}`, {}]));
    const errors = northRequestValidator.errors({ ...valid, metadata });
    expect(errors).toHaveLength(20);
    expect(errors[0]).toEqual({ field: expect.stringMatching(/^\/metadata/), message: expect.any(String) });
  });
});
