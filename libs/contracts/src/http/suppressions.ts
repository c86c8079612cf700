/** /v1/suppressions: the client's suppression list (recipients Herald does not send to). */
import { Type, type Static } from '@sinclair/typebox';
import { E164_PATTERN, Nullable, SingleLine, StringEnum, Timestamp } from '../schema-kit';
import { ChannelSchema } from './north';

export const SUPPRESSION_REASON_VALUES = ['hard_bounce', 'complaint', 'opt_out', 'manual'] as const;

export const SuppressionParams = Type.Object(
  {
    channel: ChannelSchema,
    address: Type.String({ minLength: 3, maxLength: 320, description: 'The email address or the E.164 phone number.' }),
  },
  {
    additionalProperties: false,
    allOf: [
      { if: { properties: { channel: { const: 'email' } } }, then: { properties: { address: { format: 'email' } } } },
      { if: { properties: { channel: { const: 'sms' } } }, then: { properties: { address: { pattern: E164_PATTERN } } } },
    ],
  },
);
export type SuppressionParams = Static<typeof SuppressionParams>;

export const SuppressionView = Type.Object(
  {
    channel: ChannelSchema,
    address: Type.String({ description: 'As kept: an email address in lower case, a phone number in E.164.' }),
    reason: StringEnum(SUPPRESSION_REASON_VALUES, { description: 'hard_bounce, complaint and opt_out come from provider receipts; manual from this API.' }),
    source: Nullable(Type.String({ description: 'Where it came from: "api", or the provider and receipt.' })),
    detail: Nullable(Type.String()),
    createdAt: Timestamp,
    everyClient: Type.Boolean({ description: 'An opt-out that applies to every client of the deployment (STOP to a shared sender): it cannot be removed through the API.' }),
  },
  { additionalProperties: false },
);
export type SuppressionView = Static<typeof SuppressionView>;

export const SuppressionListQuery = Type.Object(
  {
    channel: Type.Optional(ChannelSchema),
    after: Type.Optional(Type.String({ maxLength: 1_000, pattern: '^[A-Za-z0-9_-]+$', description: 'The `next` of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, description: 'Entries per page (default 100).' })),
  },
  { additionalProperties: false },
);
export type SuppressionListQuery = Static<typeof SuppressionListQuery>;

export const SuppressionPage = Type.Object(
  {
    items: Type.Array(SuppressionView),
    next: Nullable(Type.String({ description: 'Pass as `after` for the next page; null on the last page.' })),
  },
  { additionalProperties: false },
);
export type SuppressionPage = Static<typeof SuppressionPage>;

export const SuppressionRequest = Type.Object(
  { detail: Type.Optional(SingleLine(500, { description: 'Why (kept with the entry).' })) },
  { additionalProperties: false, description: 'Adds the recipient to your suppression list (reason manual).' },
);
export type SuppressionRequest = Static<typeof SuppressionRequest>;
