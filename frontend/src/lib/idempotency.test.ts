import { ApiError } from './api-error';
import { IdempotencyKeys, mayHaveBeenSent, newIdempotencyKey } from './idempotency';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newIdempotencyKey', () => {
  it('is a random UUID, within the 1–255 visible ASCII characters the API takes', () => {
    const [a, b] = [newIdempotencyKey(), newIdempotencyKey()];
    expect(a).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it('makes one without crypto.randomUUID, which pages served over plain HTTP lack', () => {
    const own = Object.getOwnPropertyDescriptor(crypto, 'randomUUID');
    const random = vi.spyOn(crypto, 'getRandomValues');
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      expect(newIdempotencyKey()).toMatch(UUID);
      expect(random).toHaveBeenCalledOnce();
    } finally {
      if (own) Object.defineProperty(crypto, 'randomUUID', own);
      else Reflect.deleteProperty(crypto, 'randomUUID');
    }
    expect(typeof crypto.randomUUID).toBe('function');
  });
});

describe('IdempotencyKeys', () => {
  const keys = () => {
    let n = 0;
    return new IdempotencyKeys(() => `key-${++n}`);
  };

  it('gives the same request the same key until it is settled', () => {
    const store = keys();
    expect(store.keyFor({ contactId: 'c-ada', text: 'Hello' })).toBe('key-1');
    expect(store.keyFor({ contactId: 'c-ada', text: 'Hello' })).toBe('key-1');
    store.settle();
    expect(store.keyFor({ contactId: 'c-ada', text: 'Hello' })).toBe('key-2');
  });

  it('gives a changed request a new key (the old one would be refused as reused)', () => {
    const store = keys();
    expect(store.keyFor({ text: 'Hello' })).toBe('key-1');
    expect(store.keyFor({ text: 'Hello!' })).toBe('key-2');
    expect(store.keyFor({ text: 'Hello!', from: 'pn-2' })).toBe('key-3');
  });
});

describe('mayHaveBeenSent', () => {
  it('is true when the outcome is not known: no answer, an unreadable answer, a 5xx, the key still in progress', () => {
    expect(mayHaveBeenSent(new ApiError(0, 'NETWORK', 'no answer'))).toBe(true);
    expect(mayHaveBeenSent(new ApiError(202, 'BAD_RESPONSE', 'unexpected shape'))).toBe(true);
    expect(mayHaveBeenSent(new ApiError(500, 'INTERNAL', ''))).toBe(true);
    expect(mayHaveBeenSent(new ApiError(503, 'HTTP_503', ''))).toBe(true);
    expect(mayHaveBeenSent(new ApiError(409, 'IDEMPOTENCY_IN_PROGRESS', ''))).toBe(true);
    expect(mayHaveBeenSent(new TypeError('Failed to fetch'))).toBe(true);
  });

  it('is false for a refusal, and for a provider failure the API recorded', () => {
    expect(mayHaveBeenSent(new ApiError(502, 'PROVIDER_ERROR', 'refused'))).toBe(false);
    expect(mayHaveBeenSent(new ApiError(422, 'NOT_OPTED_IN', ''))).toBe(false);
    expect(mayHaveBeenSent(new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', ''))).toBe(false);
    expect(mayHaveBeenSent(new ApiError(403, 'NOT_ALLOWLISTED', ''))).toBe(false);
    expect(mayHaveBeenSent(new ApiError(429, 'RATE_LIMITED', ''))).toBe(false);
  });
});
