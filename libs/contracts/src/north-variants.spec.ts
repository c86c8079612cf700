/**
 * NorthRequest and EmailContent state their conditional rules as oneOf variants (so that
 * generators render precise types). These tests hold them to the rules they had as if/then and
 * anyOf: the same bodies accepted, the same field errors for those refused.
 */
import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import type { CHANNELS } from './channels';
import { EmailContent, NorthRequest, SmsContent } from './http/north';
import { createValidator } from './validation';

/** The former formulation: each channel requested needs its recipient and its content (if/then), a body text or html (anyOf). */
const strip = ({ oneOf: _oneOf, ...schema }: Record<string, unknown>) => schema;
const FormerEmailContent = { ...strip(EmailContent), anyOf: [{ required: ['text'] }, { required: ['html'] }] };
const channelRequires = (channel: (typeof CHANNELS)[number]) => ({
  if: { required: ['channels'], properties: { channels: { contains: { const: channel } } } },
  then: { required: ['to', channel], properties: { to: { required: [channel === 'email' ? 'email' : 'phone'] } } },
});
const former = strip(NorthRequest) as { properties: Record<string, unknown> };
const FormerNorthRequest = Type.Unsafe({
  ...former,
  properties: { ...former.properties, email: FormerEmailContent },
  allOf: [channelRequires('email'), channelRequires('sms')],
});

const current = createValidator('NorthRequest', NorthRequest);
const reference = createValidator('FormerNorthRequest', FormerNorthRequest);
const sorted = (errors: Array<{ field: string; message: string }>) => errors.map((e) => `${e.field} ${e.message}`).sort();

const body = fc.record(
  {
    to: fc.oneof(fc.constant({}), fc.constant({ email: 'ada@example.com' }), fc.constant({ phone: '+447700900123' }), fc.constant({ email: 'ada@example.com', phone: '+447700900123' }), fc.constant({ email: 'nope' }), fc.constant('x')),
    channels: fc.oneof(fc.subarray(['email', 'sms', 'fax', 'email']).chain((c) => fc.shuffledSubarray(c, { minLength: c.length, maxLength: c.length })), fc.constant('email')),
    email: fc.oneof(
      fc.constant({ subject: 'Hi' }),
      fc.constant({ subject: 'Hi', text: 'Hello' }),
      fc.constant({ subject: 'Hi', html: '<p>Hello</p>' }),
      fc.constant({ subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' }),
      fc.constant({ subject: 'Hi\r\nBcc: x@y.z', html: 'a\u0000' }),
      fc.constant({ text: 'no subject', extra: 1 }),
      fc.constant('hello'),
    ),
    sms: fc.oneof(fc.constant({ text: 'Hello' }), fc.constant({ text: '' }), fc.constant({})),
    metadata: fc.oneof(fc.constant({}), fc.constant({ a: 1 }), fc.constant({ a: { b: 1 } })),
    priority: fc.constantFrom('normal', 'high', 'urgent'),
    urgency: fc.constant('high'),
  },
  { requiredKeys: [] },
);

describe('NorthRequest variants', () => {
  it('accept exactly the bodies the if/then rules accepted, and report for the others only errors those rules reported', () => {
    fc.assert(
      fc.property(body, (value) => {
        expect(current.check(value)).toBe(reference.check(value));
        const errors = sorted(current.errors(value));
        // A body with several faults may get fewer errors (a channel list with an unknown channel
        // is no variant, so the requirements of its known channels are not listed), never others.
        expect(reference.errors(value).length > 0).toBe(errors.length > 0);
        expect(sorted(reference.errors(value))).toEqual(expect.arrayContaining(errors));
      }),
      { numRuns: 3_000 },
    );
  });

  it('has one variant per non-empty set of channels, each naming its recipients and contents', () => {
    const variants = (NorthRequest as unknown as { oneOf: Array<{ title: string; required: string[]; properties: { channels: { enum: string[][] }; to: { required: string[] } } }> }).oneOf;
    expect(variants.map((v) => [v.title, v.properties.channels.enum, v.properties.to.required, v.required])).toEqual([
      ['EmailMessage', [['email']], ['email'], ['to', 'channels', 'email']],
      ['SmsMessage', [['sms']], ['phone'], ['to', 'channels', 'sms']],
      ['EmailAndSmsMessage', [['email', 'sms'], ['sms', 'email']], ['email', 'phone'], ['to', 'channels', 'email', 'sms']],
    ]);
  });

  it('reports a channel that no variant knows once, on the channel', () => {
    expect(current.errors({ to: { email: 'ada@example.com' }, channels: ['email', 'fax'], email: { subject: 'Hi', text: 'x' } })).toEqual([{ field: '/channels/1', message: 'must be one of: email, sms' }]);
  });

  it('reports the recipient a variant needs, not the variants it is not', () => {
    expect(current.errors({ to: { email: 'ada@example.com' }, channels: ['sms'], sms: { text: 'x' } })).toEqual([{ field: '/to/phone', message: 'is required' }]);
  });
});

describe('EmailContent variants', () => {
  const email = createValidator('EmailContent', EmailContent);
  it('take a text body, an HTML body or both, and say which are missing when there is neither', () => {
    expect(email.check({ subject: 's', text: 't' })).toBe(true);
    expect(email.check({ subject: 's', html: 'h' })).toBe(true);
    expect(email.check({ subject: 's', text: 't', html: 'h' })).toBe(true);
    expect(email.errors({ subject: 's' })).toEqual([{ field: '/', message: 'must have one of: text, html' }]);
  });

  it('report a bad HTML body once, whichever variant it was meant for', () => {
    expect(email.errors({ subject: 's', html: 'a\u0000' })).toEqual([{ field: '/html', message: 'must be valid text: no NUL characters or unpaired surrogates' }]);
  });
});

it('SmsContent keeps its plain shape', () => {
  expect(createValidator('SmsContent', SmsContent).errors({ text: '' })).toEqual([{ field: '/text', message: 'must not be empty' }]);
});
