/** RFC 9457 problem details: the body of every HTTP error Herald returns. */
import { Type, type Static } from '@sinclair/typebox';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const FieldError = Type.Object(
  {
    field: Type.String({ description: 'JSON pointer to the offending field, e.g. /to/email.' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type FieldError = Static<typeof FieldError>;

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI that identifies the problem type.' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The request path.' })),
    code: Type.String({ description: 'Stable machine-readable code, e.g. HERALD_ERR_VALIDATION.' }),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { additionalProperties: false, description: 'RFC 9457 problem details.' },
);
export type Problem = Static<typeof Problem>;
