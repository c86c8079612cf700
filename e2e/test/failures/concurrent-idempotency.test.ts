/**
 * Failure test: the same Idempotency-Key sent at once by many clients, across both processes of
 * the ingest-api cluster: one message, one 202 answer repeated to all, one email, one SMS.
 */
import { deliveryIdFor, emailMessageId, type NorthAccepted } from '@herald/contracts';
import { HeraldStack, northRequest, recordFigures, waitFor } from '@herald/testing';

let stack: HeraldStack;

beforeAll(async () => {
  stack = await HeraldStack.start({ name: 'failure-concurrent-idempotency', webConcurrency: 2 });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

it('turns 60 concurrent requests with one Idempotency-Key into one message and one email', async () => {
  const key = `burst-${Date.now()}`;
  const body = JSON.stringify(northRequest());
  const answers = await Promise.all(
    Array.from({ length: 60 }, () =>
      fetch(`${stack.ingestUrl}/v1/North`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, connection: 'close', ...stack.authHeaders }, body }).then(async (r) => ({
        status: r.status,
        replayed: r.headers.get('idempotent-replayed') === 'true',
        body: (await r.json()) as NorthAccepted,
      })),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(60).fill(202));
  const ids = new Set(answers.map((a) => a.body.id));
  expect(ids.size).toBe(1);
  const id = [...ids][0] ?? '';
  await stack.waitForMessage(id);
  const messageId = emailMessageId(deliveryIdFor(id, 'email'), 'herald.local');
  // Let any duplicate that might exist arrive before counting.
  await waitFor('the deliveries to settle', async () => (await stack.statusCounts([id]))['sent'] === 2, { timeoutMs: 10_000 });
  const emails = await stack.maildev.client.byMessageId(messageId);
  const sms = await stack.sms.client.messages({ reference: deliveryIdFor(id, 'sms') });
  const messages = await stack.sql<{ n: string }>('SELECT count(*) AS n FROM messages');
  recordFigures('60 concurrent requests with one Idempotency-Key', {
    requests: 60,
    answered202: answers.length,
    replayedAnswers: answers.filter((a) => a.replayed).length,
    messageIds: ids.size,
    messagesStored: Number(messages[0]?.n),
    emails: emails.length,
    sms: sms.length,
  });
  expect(emails).toHaveLength(1);
  expect(sms).toHaveLength(1);
  expect(messages[0]?.n).toBe('1');
}, 120_000);
