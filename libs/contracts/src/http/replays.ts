/** POST /v1/replays: deliver failed deliveries again, selected by time, channel and error. */
import { Type, type Static } from '@sinclair/typebox';
import { SingleLine, Uuid } from '../schema-kit';
import { ChannelSchema } from './north';

export const REPLAY_MAX = 10_000;

export const ReplayRequest = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only deliveries that failed at or after this time (RFC 3339).' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only deliveries that failed before this time (RFC 3339).' })),
    channel: Type.Optional(ChannelSchema),
    errorCode: Type.Optional(SingleLine(64, { description: 'Only deliveries whose last error has this code, e.g. SMTP_550, EXPIRED, ECONNREFUSED.' })),
    errorContains: Type.Optional(SingleLine(200, { description: 'Only deliveries whose last error message contains this text.' })),
    messageIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1_000, uniqueItems: true, description: 'Only these messages.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REPLAY_MAX, description: 'At most this many deliveries (oldest failures first). Default 1000.' })),
    dryRun: Type.Optional(Type.Boolean({ description: 'Count what would be replayed; change nothing.' })),
  },
  { additionalProperties: false, description: 'Which failed deliveries to deliver again. Every filter is optional; all given filters apply.' },
);
export type ReplayRequest = Static<typeof ReplayRequest>;

export const ReplayAnswer = Type.Object(
  {
    dryRun: Type.Boolean(),
    /** Failed deliveries matching the filters (all of them, regardless of limit). */
    matched: Type.Integer({ minimum: 0 }),
    /** Deliveries queued for replay by this request (at most limit; 0 for a dry run). */
    replayed: Type.Integer({ minimum: 0 }),
    replayId: Type.Optional(Uuid),
    deliveryIds: Type.Array(Uuid, { description: 'The deliveries replayed (or that would be, for a dry run), up to 100.' }),
  },
  { additionalProperties: false },
);
export type ReplayAnswer = Static<typeof ReplayAnswer>;
