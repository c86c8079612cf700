import {
  deliveryEventId,
  deliveryIdFor,
  deliveryJobId,
  emailMessageId,
  isUuid,
  messageIdForIdempotencyKey,
  newMessageId,
  uuidV5,
} from './ids';

describe('ids', () => {
  it('makes version 7 UUIDs that sort by time', () => {
    const a = newMessageId(1_700_000_000_000);
    const b = newMessageId(1_700_000_000_001);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(a[19]);
    expect(a < b).toBe(true);
    expect(newMessageId()).not.toBe(newMessageId());
  });

  it('computes RFC 9562 version 5 UUIDs (known vector)', () => {
    // DNS namespace and "www.example.com", as in RFC 9562 appendix A.4.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('derives the same delivery id for the same message and channel, a different one per channel', () => {
    const id = newMessageId();
    expect(deliveryIdFor(id, 'email')).toBe(deliveryIdFor(id, 'email'));
    expect(deliveryIdFor(id, 'email')).not.toBe(deliveryIdFor(id, 'sms'));
    expect(deliveryIdFor(id, 'sms')).not.toBe(deliveryIdFor(newMessageId(), 'sms'));
  });

  it('derives a message id from client and idempotency key, without ambiguity between the two', () => {
    expect(messageIdForIdempotencyKey('acme', 'k1')).toBe(messageIdForIdempotencyKey('acme', 'k1'));
    expect(messageIdForIdempotencyKey('acme', 'k1')).not.toBe(messageIdForIdempotencyKey('acme2', 'k1'));
    expect(messageIdForIdempotencyKey('a:b', 'c')).not.toBe(messageIdForIdempotencyKey('a', 'b:c'));
  });

  it('names jobs, events and email Message-IDs from the delivery id', () => {
    const d = deliveryIdFor(newMessageId(), 'email');
    expect(deliveryJobId(d, 0)).toBe(`${d}.0`);
    expect(deliveryJobId(d, 0)).not.toContain(':');
    expect(deliveryEventId(d, 1, 2, 'sent')).toBe(`${d}.1.2.sent`);
    expect(emailMessageId(d, 'herald.local')).toBe(`<${d}@herald.local>`);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(TypeError);
  });
});
