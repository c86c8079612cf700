/**
 * /v1/suppressions through buildApp() with real PostgreSQL: a client adds, reads, pages through and
 * removes its entries; addresses are checked per channel; another client sees none of them; an
 * opt-out for every client can be read but not removed.
 */
import type { App } from '../src/app';
import { startTestApp, type TestApp } from './support/test-app';

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
let t: TestApp;
let app: App;

beforeAll(async () => {
  t = await startTestApp({ name: 'suppress', env: { API_KEYS: `acme:${ACME},globex:${GLOBEX}` } });
  app = t.app;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, key = ACME, payload?: unknown) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

describe('/v1/suppressions', () => {
  it('adds an entry (201, then 200), reads it whatever the case of the address, and removes it (204, then 404)', async () => {
    const added = await call('PUT', '/v1/suppressions/email/Ada@Example.com', ACME, { detail: 'asked us to stop' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ channel: 'email', address: 'ada@example.com', reason: 'manual', source: 'api', detail: 'asked us to stop', everyClient: false });
    expect((await call('PUT', '/v1/suppressions/email/ada@example.com', ACME, {})).statusCode).toBe(200);
    expect((await call('GET', '/v1/suppressions/email/ADA@example.com')).json()).toMatchObject({ address: 'ada@example.com' });
    expect((await call('GET', '/v1/suppressions/email/ada@example.com', GLOBEX)).statusCode).toBe(404);
    expect((await call('DELETE', '/v1/suppressions/email/ada@example.com')).statusCode).toBe(204);
    const gone = await call('DELETE', '/v1/suppressions/email/ada@example.com');
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'HERALD_ERR_SUPPRESSION_NOT_FOUND' });
  });

  it('pages through the list with a cursor, per client and per channel', async () => {
    for (const a of ['p1@example.com', 'p2@example.com', 'p3@example.com']) await call('PUT', `/v1/suppressions/email/${a}`, GLOBEX, {});
    await call('PUT', '/v1/suppressions/sms/+447700900123', GLOBEX, {});
    const first = (await call('GET', '/v1/suppressions?limit=2', GLOBEX)).json() as { items: Array<{ address: string }>; next: string };
    expect(first.items.map((i) => i.address)).toEqual(['p1@example.com', 'p2@example.com']);
    const second = (await call('GET', `/v1/suppressions?limit=2&after=${first.next}`, GLOBEX)).json() as { items: Array<{ address: string }>; next: string | null };
    expect(second.items.map((i) => i.address)).toEqual(['p3@example.com', '+447700900123']);
    expect(second.next).toBeNull();
    expect((await call('GET', '/v1/suppressions?channel=sms', GLOBEX)).json().items).toHaveLength(1);
    expect((await call('GET', '/v1/suppressions?after=not-a-cursor', GLOBEX)).statusCode).toBe(400);
  });

  it.each([
    ['an email address on the sms channel', '/v1/suppressions/sms/ada@example.com', '/params/address'],
    ['a phone number on the email channel', '/v1/suppressions/email/+447700900123', '/params/address'],
    ['an unknown channel', '/v1/suppressions/fax/+447700900123', '/params/channel'],
  ])('refuses %s with 400 naming the field', async (_name, url, field) => {
    const answer = await call('PUT', url, ACME, {});
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('shows an opt-out for every client to each client, and refuses to remove it with 409', async () => {
    await t.tracking.applyReceipts([
      { v: 1, kind: 'provider.receipt', receiptId: 'twilio:SMstop:opt-out', provider: 'twilio', channel: 'sms', providerMessageId: 'SMstop', outcome: 'opted_out', permanent: true, recipient: '+447700900999', at: new Date().toISOString() },
    ]);
    for (const key of [ACME, GLOBEX]) expect((await call('GET', '/v1/suppressions/sms/+447700900999', key)).json()).toMatchObject({ reason: 'opt_out', everyClient: true });
    const refused = await call('DELETE', '/v1/suppressions/sms/+447700900999');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'HERALD_ERR_SUPPRESSION_SHARED' });
  });

  it('needs a key', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/suppressions' })).statusCode).toBe(401);
  });
});
