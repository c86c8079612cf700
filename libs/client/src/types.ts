/**
 * Names for the types API consumers handle, taken from the generated document types (so they
 * are exactly what the server validates and answers).
 */
import type { paths } from './generated/schema';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type ProblemBody<R> = R extends { content: { 'application/problem+json': infer B } } ? B : never;

/** POST /v1/North: a message for one or more channels (each channel needs its recipient and content). */
export type NorthRequest = paths['/v1/North']['post']['requestBody']['content']['application/json'];
export type NorthAccepted = Json<paths['/v1/North']['post']['responses'][202]>;
export type MessageView = Json<paths['/v1/messages/{id}']['get']['responses'][200]>;
export type DeliveryView = MessageView['deliveries'][number];
export type ReplayRequest = paths['/v1/replays']['post']['requestBody']['content']['application/json'];
export type ReplayAnswer = Json<paths['/v1/replays']['post']['responses'][200]>;
/** RFC 9457 problem details: the body of every error answer. */
export type Problem = ProblemBody<paths['/v1/North']['post']['responses'][400]>;
export type FieldError = NonNullable<Problem['errors']>[number];
