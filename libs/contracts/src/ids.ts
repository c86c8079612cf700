/**
 * Identifiers. Every service derives the same ids from the same inputs, which is what makes
 * re-delivery harmless: the message id is the Kafka key, the NotificationQueue job id and the
 * tracking primary key; a delivery id is derived from the message id and the channel.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Channel } from './channels';
import type { DeliveryEventType } from './status';

const HEX = /^[0-9a-f]{32}$/;

function format(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A time-ordered UUID (RFC 9562 version 7): index-friendly and sortable by acceptance time. */
export function newMessageId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return format(bytes.toString('hex'));
}

/** A name-based UUID (RFC 9562 version 5) of `name` within the `namespace` UUID. */
export function uuidV5(namespace: string, name: string): string {
  const ns = namespace.replace(/-/g, '').toLowerCase();
  if (!HEX.test(ns)) throw new TypeError(`namespace is not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(Buffer.from(ns, 'hex')).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  return format(hash.subarray(0, 16).toString('hex'));
}

/** Namespace for message ids derived from an idempotency key. */
const IDEMPOTENCY_NAMESPACE = '5d0b6f5e-6a7f-4a51-9c43-2b7d1c1e8a10';

/**
 * The message id for a request carrying an Idempotency-Key. Derived, not random: even if the
 * key's record were lost, a retry produces the same id and every later stage drops it as a
 * duplicate.
 */
export function messageIdForIdempotencyKey(client: string, key: string): string {
  return uuidV5(IDEMPOTENCY_NAMESPACE, `${client.length}:${client}:${key}`);
}

/** The delivery of a message on one channel. */
export function deliveryIdFor(messageId: string, channel: Channel): string {
  return uuidV5(messageId, channel);
}

/** BullMQ job id of a channel job. A replay is a new generation and so a new job. */
export function deliveryJobId(deliveryId: string, generation: number): string {
  return `${deliveryId}.${generation}`;
}

/** History event id: the same event reported twice is stored once. */
export function deliveryEventId(
  deliveryId: string,
  generation: number,
  attempt: number,
  type: DeliveryEventType,
): string {
  return `${deliveryId}.${generation}.${attempt}.${type}`;
}

/** The stable RFC 5322 Message-ID of an email delivery. */
export function emailMessageId(deliveryId: string, domain: string): string {
  return `<${deliveryId}@${domain}>`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
