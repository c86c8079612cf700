/** Delivery channels. Adding one is a contract change: a queue, a worker and a schema come with it. */
import { Queues, type QueueName } from './names';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The queue that carries each channel's deliveries. */
export const channelQueue: Readonly<Record<Channel, QueueName>> = {
  email: Queues.Email,
  sms: Queues.Sms,
};

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/**
 * The form in which a recipient is kept on a suppression list: an email address in lower case
 * (mailbox local parts are case-insensitive at every provider Herald speaks to), a phone number
 * as given (E.164 already).
 */
export function suppressionAddress(channel: Channel, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}
