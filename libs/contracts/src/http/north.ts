/** POST /v1/North: the request that asks Herald to deliver one message on one or more channels. */
import { Type, type Static } from '@sinclair/typebox';
import { CHANNELS } from '../channels';
import { EmailAddress, EmailAddressOf, HttpsUrl, PhoneNumber, SINGLE_LINE_PATTERN, SingleLine, StringEnum, Text, Uuid, VISIBLE_ASCII_PATTERN, anyValue, variant } from '../schema-kit';

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

const emailFields = {
  subject: SingleLine(LIMITS.subject, { description: 'Subject line; CR and LF are refused.' }),
  text: Type.Optional(Text({ minLength: 1, maxLength: LIMITS.emailText, description: 'Plain-text body.' })),
  html: Type.Optional(Text({ minLength: 1, maxLength: LIMITS.emailHtml, description: 'HTML body.' })),
  from: Type.Optional(EmailAddressOf("Sender address; must be one of the sender identities allowed for your API client (default: the deployment's EMAIL_FROM).")),
  fromName: Type.Optional(SingleLine(LIMITS.displayName, { description: 'Display name shown with the sender address.' })),
  replyTo: Type.Optional(EmailAddressOf('Where replies go (Reply-To).')),
  unsubscribeUrl: Type.Optional(
    HttpsUrl('Your one-click unsubscribe URL: sent as List-Unsubscribe with List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), so mailbox providers show an unsubscribe button.'),
  ),
};

/**
 * Email content: a subject and a text or HTML body (or both). The body rule is a oneOf of two
 * variants (a text body, with HTML if you like; or HTML only), so that generators render
 * `{ text: string; html?: string } | { html: string; text?: never }` rather than a loose object.
 */
export const EmailContent = Type.Object(emailFields, {
  additionalProperties: false,
  oneOf: [
    variant('EmailWithText', 'A text body, and an HTML body if you like.', emailFields, { require: ['text'] }),
    variant('EmailHtmlOnly', 'An HTML body and no text body.', emailFields, { require: ['html'], forbid: ['text'] }),
  ],
  description: 'Email content: a subject and a text or HTML body (or both).',
});

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

const northFields = {
  to: Recipient,
  channels: Type.Array(ChannelSchema, { minItems: 1, maxItems: CHANNELS.length, uniqueItems: true }),
  email: Type.Optional(EmailContent),
  sms: Type.Optional(SmsContent),
  metadata: Type.Optional(Metadata),
  priority: Type.Optional(MessagePriority),
};

const RECIPIENT_FIELD: Readonly<Record<(typeof CHANNELS)[number], 'email' | 'phone'>> = { email: 'email', sms: 'phone' };

/**
 * One variant per set of channels: the channels in any order, and for each channel its
 * recipient and its content. Exactly one variant matches a valid `channels`, so a client's
 * generated types know that `channels: ["sms"]` needs `to.phone` and `sms`.
 */
function channelVariants() {
  const subsets = CHANNELS.reduce<Array<Array<(typeof CHANNELS)[number]>>>((all, c) => [...all, ...all.map((s) => [...s, c])], [[]]).filter((s) => s.length > 0);
  return subsets.map((channels) => {
    const name = channels.map((c) => (c === 'sms' ? 'Sms' : c[0]?.toUpperCase() + c.slice(1))).join('And');
    const recipients = channels.map((c) => RECIPIENT_FIELD[c]);
    return {
      ...variant(`${name}Message`, `A message sent by ${channels.join(' and ')}: ${recipients.map((r) => `to.${r}`).join(', ')} and ${channels.map((c) => `\`${c}\``).join(', ')} are required.`, northFields, { require: ['to', 'channels', ...channels] }),
      properties: {
        ...anyValue(northFields),
        channels: { enum: permutations(channels), description: `Exactly these channels, in any order.` },
        to: { type: 'object', required: recipients, properties: anyValue(Recipient.properties) },
      },
    };
  });
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

export const NorthRequest = Type.Object(northFields, {
  additionalProperties: false,
  oneOf: channelVariants(),
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
});
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
