/** webhook-worker's own error classes extend HeraldError, each with a code of its own. */
import { HeraldError } from '@herald/errors';
import * as webhooks from '@herald/webhooks';
import * as processor from './webhook-processor';

describe("webhook-worker's error classes", () => {
  const own = (Object.values(processor) as unknown[]).filter((v): v is typeof HeraldError => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof Error);

  it('extend HeraldError with distinct HERALD_ERR_WEBHOOK_WORKER_* codes, none shared with @herald/webhooks', () => {
    expect(own.map((c) => c.name).sort()).toEqual(['RetryWebhookError', 'WebhookFailedError']);
    const taken = new Set((Object.values(webhooks) as unknown[]).flatMap((v) => (typeof v === 'function' && Object.hasOwn(v, 'heraldCode') ? [(v as typeof HeraldError).heraldCode] : [])));
    expect(taken.size).toBeGreaterThanOrEqual(2);
    for (const cls of own) {
      expect(cls.prototype instanceof HeraldError).toBe(true);
      expect(Object.hasOwn(cls, 'heraldCode')).toBe(true);
      expect(cls.heraldCode).toMatch(/^HERALD_ERR_WEBHOOK_WORKER_[A-Z0-9_]+$/);
      expect(taken.has(cls.heraldCode)).toBe(false);
      taken.add(cls.heraldCode);
    }
  });

  it('keep their fields, with the class name and code', () => {
    const retry = new processor.RetryWebhookError('503 from the endpoint', 30_000);
    expect(retry).toMatchObject({ name: 'RetryWebhookError', heraldCode: 'HERALD_ERR_WEBHOOK_WORKER_RETRY', retryDelayMs: 30_000, message: '503 from the endpoint' });
    expect(new processor.WebhookFailedError('410 Gone')).toMatchObject({ name: 'WebhookFailedError', heraldCode: 'HERALD_ERR_WEBHOOK_WORKER_FAILED' });
  });
});
