/**
 * webhook-id values (the Standard Webhooks header a receiver deduplicates by). One per event and
 * endpoint, derived, never random: the fan-out of a batch consumed twice makes the same ids (and
 * so adds each job once), and every retry and replay of the event carries the same one.
 */
import { createHash, randomBytes } from 'node:crypto';

export function webhookIdFor(eventId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\u0000${eventId}`).digest('hex').slice(0, 32)}`;
}

/** The id of a test call (POST /v1/webhooks/{id}/test): new for every test. */
export function testWebhookId(): string {
  return `msg_test_${randomBytes(12).toString('hex')}`;
}

/** The job that replays an attempt: its own job id, the webhook-id of the original. */
export function replayJobId(webhookId: string, attemptId: string): string {
  return `${webhookId}.replay.${attemptId}`;
}
