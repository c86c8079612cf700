/**
 * Topic and queue names. These are wire contracts: every producer and consumer takes them from
 * here, and they are never renamed casually (a rename is a migration across running services).
 */

/** Kafka topics. */
export const Topics = {
  /** Accepted messages and operator commands, keyed by message id. */
  North: 'north-updates',
  /** Delivery status events, keyed by message id. */
  South: 'south-updates',
  /** Records of north-updates that could not be parsed or validated, with the error in headers. */
  NorthDeadLetter: 'north-updates.dlq',
  /** Records of south-updates that could not be parsed or validated. */
  SouthDeadLetter: 'south-updates.dlq',
} as const;
export type TopicName = (typeof Topics)[keyof typeof Topics];

/** BullMQ queues. */
export const Queues = {
  Notification: 'NotificationQueue',
  Email: 'EmailQueue',
  Sms: 'SmsQueue',
  /** webhook-worker: one status event for one client endpoint (status callbacks). */
  Webhook: 'WebhookQueue',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

/** Kafka consumer groups. */
export const ConsumerGroups = {
  /** kafka-bridge: north-updates into tracking and NotificationQueue. */
  Bridge: 'herald-bridge',
  /** kafka-bridge: south-updates into tracking. */
  Tracking: 'herald-tracking',
  /** webhook-worker: south-updates into WebhookQueue jobs. */
  Webhooks: 'herald-webhooks',
} as const;

/**
 * A deployment (or a test) may namespace its topics, e.g. `staging.north-updates`. The base name
 * never changes; only the prefix does.
 */
export function topicName(base: TopicName, prefix = ''): string {
  return groupName(base, prefix);
}

/** Consumer groups follow the topic namespace so that two namespaces never share offsets. */
export function groupName(base: string, prefix = ''): string {
  return prefix ? `${prefix}.${base}` : base;
}

/** Kafka record headers that Herald sets. */
export const Headers = {
  /** Version of the envelope in the record value. */
  SchemaVersion: 'herald-schema-version',
  /** Dead-letter records: the error that sent them there. */
  DeadLetterError: 'herald-dlq-error',
  DeadLetterSourceTopic: 'herald-dlq-source-topic',
  DeadLetterSourcePartition: 'herald-dlq-source-partition',
  DeadLetterSourceOffset: 'herald-dlq-source-offset',
} as const;
