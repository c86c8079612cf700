/** POST /v1/North: the request that asks Herald to deliver one message on one or more channels. */
import { Type, type Static } from '@sinclair/typebox';
import { CHANNELS } from '../channels';
import { EmailAddress, EmailAddressOf, HttpsUrl, PhoneNumber, SINGLE_LINE_PATTERN, SingleLine, StringEnum, Text, Uuid, VISIBLE_ASCII_PATTERN } from '../schema-kit';

export const LIMITS = {
  subject: 998,
  emailText: 100_000,
  emailHtml: 500_000,
  smsText: 1_600,
  metadataKeys: 32,
  metadataKeyLength: 64,
  metadataValueLength: 1_024,
  idempotencyKeyLength: 255,
  displayName: 100,
} as const;

export const ChannelSchema = StringEnum(CHANNELS, { description: 'A delivery channel.' });

export const MESSAGE_PRIORITIES = ['normal', 'high'] as const;
export const MessagePriority = StringEnum(MESSAGE_PRIORITIES, {
  description: 'high: ahead of normal traffic in the channel queues (one-time codes, password resets). Default normal.',
});

export const Recipient = Type.Object(
  {
    email: Type.Optional(EmailAddress),
    phone: Type.Optional(PhoneNumber),
  },
  { additionalProperties: false, minProperties: 1, description: 'Where to deliver: one address per channel.' },
);

export const EmailContent = Type.Object(
  {
    subject: SingleLine(LIMITS.subject, { description: 'Subject line; CR and LF are refused.' }),
    text: Type.Optional(Text({ minLength: 1, maxLength: LIMITS.emailText, description: 'Plain-text body.' })),
    html: Type.Optional(Text({ minLength: 1, maxLength: LIMITS.emailHtml, description: 'HTML body.' })),
    from: Type.Optional(EmailAddressOf("Sender address; must be one of the sender identities allowed for your API client (default: the deployment's EMAIL_FROM).")),
    fromName: Type.Optional(SingleLine(LIMITS.displayName, { description: 'Display name shown with the sender address.' })),
    replyTo: Type.Optional(EmailAddressOf('Where replies go (Reply-To).')),
    unsubscribeUrl: Type.Optional(
      HttpsUrl('Your one-click unsubscribe URL: sent as List-Unsubscribe with List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), so mailbox providers show an unsubscribe button.'),
    ),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['text'] }, { required: ['html'] }],
    description: 'Email content: a subject and a text or HTML body (or both).',
  },
);

export const SmsContent = Type.Object(
  {
    text: Text({ minLength: 1, maxLength: LIMITS.smsText, description: 'SMS text (up to 10 segments).' }),
  },
  { additionalProperties: false },
);

export const Metadata = Type.Record(
  Type.String(), // key limits: propertyNames below (TypeBox leaves a record key's own limits out of the schema)
  Type.Union([Text({ maxLength: LIMITS.metadataValueLength }), Type.Number(), Type.Boolean(), Type.Null()]),
  {
    maxProperties: LIMITS.metadataKeys,
    propertyNames: { minLength: 1, maxLength: LIMITS.metadataKeyLength, pattern: SINGLE_LINE_PATTERN },
    description: 'Your own keys and scalar values, returned as given with the message.',
  },
);

/** A channel that is requested needs its recipient and its content. */
const channelRequires = (channel: (typeof CHANNELS)[number]) => ({
  if: { required: ['channels'], properties: { channels: { contains: { const: channel } } } },
  then: { required: ['to', channel], properties: { to: { required: [channel === 'email' ? 'email' : 'phone'] } } },
});

export const NorthRequest = Type.Object(
  {
    to: Recipient,
    channels: Type.Array(ChannelSchema, { minItems: 1, maxItems: CHANNELS.length, uniqueItems: true }),
    email: Type.Optional(EmailContent),
    sms: Type.Optional(SmsContent),
    metadata: Type.Optional(Metadata),
    priority: Type.Optional(MessagePriority),
  },
  {
    additionalProperties: false,
    allOf: [channelRequires('email'), channelRequires('sms')],
    description: 'A message to deliver on one or more channels.',
    examples: [
      {
        to: { email: 'ada@example.com', phone: '+447700900123' },
        channels: ['email', 'sms'],
        email: { subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' },
        sms: { text: 'Hello Ada' },
        metadata: {},
      },
    ],
  },
);
export type NorthRequest = Static<typeof NorthRequest>;

export const NorthAccepted = Type.Object(
  {
    id: Uuid,
    status: Type.Literal('accepted'),
    deliveries: Type.Array(
      Type.Object({ channel: ChannelSchema, status: Type.Literal('accepted') }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type NorthAccepted = Static<typeof NorthAccepted>;

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: LIMITS.idempotencyKeyLength,
      pattern: VISIBLE_ASCII_PATTERN,
      description: 'Makes the request safe to retry: the same key and body answer the original 202.',
    }),
  ),
});
