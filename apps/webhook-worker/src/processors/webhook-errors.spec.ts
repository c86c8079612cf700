/** webhook-worker's own error classes extend HeraldError, each with a code of its own. */
import { exportedErrorClasses, heraldCodeProblems } from '@herald/testing';
import * as webhooks from '@herald/webhooks';
import * as processor from './webhook-processor';

describe("webhook-worker's error classes", () => {
  it('extend HeraldError with distinct HERALD_ERR_WEBHOOK_WORKER_* codes, none shared with @herald/webhooks', () => {
    const own = exportedErrorClasses({ 'webhook-processor': processor });
    expect(own.map(({ cls }) => cls.name).sort()).toEqual(['RetryWebhookError', 'WebhookFailedError']);
    const taken = new Set<unknown>();
    expect(heraldCodeProblems(exportedErrorClasses({ webhooks }), /^HERALD_ERR_/, taken)).toEqual([]);
    expect(taken.size).toBeGreaterThanOrEqual(2);
    expect(heraldCodeProblems(own, /^HERALD_ERR_WEBHOOK_WORKER_[A-Z0-9_]+$/, taken)).toEqual([]);
  });

  it('keep their fields, with the class name and code', () => {
    const retry = new processor.RetryWebhookError('503 from the endpoint', 30_000);
    expect(retry).toMatchObject({ name: 'RetryWebhookError', heraldCode: 'HERALD_ERR_WEBHOOK_WORKER_RETRY', retryDelayMs: 30_000, message: '503 from the endpoint' });
    expect(new processor.WebhookFailedError('410 Gone')).toMatchObject({ name: 'WebhookFailedError', heraldCode: 'HERALD_ERR_WEBHOOK_WORKER_FAILED' });
  });
});
