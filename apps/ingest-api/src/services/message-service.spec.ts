import type { MessageAcceptedEvent, NorthAccepted, NorthRequest } from '@herald/contracts';
import { canonicalHash, type BeginResult, type IdempotencyRecord, type IdempotencyStore } from './idempotency-store';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError, MessageService, PublishFailedError } from './message-service';

const request: NorthRequest = { to: { email: 'ada@example.com' }, channels: ['email'], email: { subject: 'Hi', text: 'Hello' } };

class MemoryStore implements IdempotencyStore {
  records = new Map<string, IdempotencyRecord>();
  down = false;
  private n = 0;
  async begin(client: string, key: string, bodyHash: string): Promise<BeginResult> {
    if (this.down) throw new Error('ECONNREFUSED');
    const k = `${client}/${key}`;
    const existing = this.records.get(k);
    if (existing) return { kind: 'existing', record: existing };
    const token = `t${++this.n}`;
    this.records.set(k, { state: 'pending', bodyHash, token });
    return { kind: 'claimed', token };
  }
  async get(client: string, key: string) {
    return this.records.get(`${client}/${key}`) ?? null;
  }
  async complete(client: string, key: string, token: string, bodyHash: string, response: NorthAccepted) {
    this.records.set(`${client}/${key}`, { state: 'done', bodyHash, token, response });
  }
  async release(client: string, key: string, token: string) {
    if (this.records.get(`${client}/${key}`)?.token === token) this.records.delete(`${client}/${key}`);
  }
}

function setup(publish: (e: MessageAcceptedEvent) => Promise<void> = async () => undefined) {
  const published: MessageAcceptedEvent[] = [];
  const store = new MemoryStore();
  const service = new MessageService({
    publisher: { publish: async (e) => (await publish(e), void published.push(e)) },
    idempotency: store,
    idempotencyWaitMs: 200,
  });
  return { service, store, published };
}

describe('MessageService', () => {
  it('publishes a message.accepted event and answers with one accepted delivery per channel', async () => {
    const { service, published } = setup();
    const { accepted, replayed } = await service.createMessage({ ...request, channels: ['email', 'sms'], to: { email: 'a@b.co', phone: '+15551234567' }, sms: { text: 'x' } }, { client: 'default' });
    expect(replayed).toBe(false);
    expect(accepted.deliveries).toEqual([
      { channel: 'email', status: 'accepted' },
      { channel: 'sms', status: 'accepted' },
    ]);
    expect(published).toEqual([expect.objectContaining({ v: 1, kind: 'message.accepted', messageId: accepted.id, client: 'default' })]);
  });

  it('answers a repeated Idempotency-Key with the original answer and publishes nothing new', async () => {
    const { service, published } = setup();
    const first = await service.createMessage(request, { client: 'acme', idempotencyKey: 'k1' });
    const again = await service.createMessage({ ...request }, { client: 'acme', idempotencyKey: 'k1' });
    expect(again).toEqual({ accepted: first.accepted, replayed: true });
    expect(published).toHaveLength(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const { service } = setup();
    await service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    const reordered = { email: request.email, channels: request.channels, to: request.to } as NorthRequest;
    await expect(service.createMessage(reordered, { client: 'acme', idempotencyKey: 'k' })).resolves.toMatchObject({ replayed: true });
    expect(canonicalHash(reordered)).toBe(canonicalHash(request));
  });

  it('refuses the same key with another body', async () => {
    const { service } = setup();
    await service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    await expect(service.createMessage({ ...request, email: { subject: 'Other', text: 'x' } }, { client: 'acme', idempotencyKey: 'k' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('keeps keys apart per client, and derives the same message id from the same client and key', async () => {
    const { service, published } = setup();
    const a = await service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    const b = await service.createMessage(request, { client: 'globex', idempotencyKey: 'k' });
    expect(a.accepted.id).not.toBe(b.accepted.id);
    expect(published).toHaveLength(2);
  });

  it('makes a concurrent repeat wait for the first answer', async () => {
    let release: () => void = () => undefined;
    const { service, published } = setup(() => new Promise<void>((r) => (release = r)));
    const first = service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    const second = service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    await new Promise((r) => setImmediate(r));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual({ accepted: a.accepted, replayed: true });
    expect(published).toHaveLength(1);
  });

  it('answers "in progress" when the first request takes longer than the wait', async () => {
    const { service } = setup(() => new Promise<void>(() => undefined));
    void service.createMessage(request, { client: 'acme', idempotencyKey: 'slow' });
    await expect(service.createMessage(request, { client: 'acme', idempotencyKey: 'slow' })).rejects.toBeInstanceOf(IdempotencyKeyInProgressError);
  });

  it('releases the key when Kafka does not acknowledge, so that a retry can succeed', async () => {
    let fail = true;
    const { service, store, published } = setup(async () => {
      if (fail) throw new Error('timeout');
    });
    await expect(service.createMessage(request, { client: 'acme', idempotencyKey: 'k' })).rejects.toBeInstanceOf(PublishFailedError);
    expect(store.records.size).toBe(0);
    fail = false;
    await expect(service.createMessage(request, { client: 'acme', idempotencyKey: 'k' })).resolves.toMatchObject({ replayed: false });
    expect(published).toHaveLength(1);
  });

  it('still accepts when the idempotency store is down, with the message id derived from the key', async () => {
    const { service, store, published } = setup();
    const first = await service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    store.down = true;
    store.records.clear();
    const second = await service.createMessage(request, { client: 'acme', idempotencyKey: 'k' });
    expect(second.accepted.id).toBe(first.accepted.id);
    expect(published.map((e) => e.messageId)).toEqual([first.accepted.id, first.accepted.id]);
  });
});
