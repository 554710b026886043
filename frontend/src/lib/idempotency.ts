// One logical send, one `Idempotency-Key`. The API never sends twice for a key it has seen: a
// repeat answers the first attempt's outcome (the same message id). So every retry of the same
// request — a double click, a retry after no answer or a 5xx, the automatic retry after a 409 —
// must carry the same key, and anything that is a new message must carry a new one: a changed
// draft (the API would refuse the old key for it with IDEMPOTENCY_KEY_REUSED), and a send after
// one that has a definite outcome (sent, or recorded as failed: replaying the key would only
// replay that outcome).
import { ApiError } from './api-error';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A random UUID; also where `crypto.randomUUID` is missing (a page served over plain HTTP). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The key of a composer's pending message: the same for as long as the request is the same and
 * has no definite outcome, a new one as soon as the request changes or is settled.
 */
export class IdempotencyKeys {
  private current: { request: string; key: string } | null = null;

  constructor(private readonly makeKey: () => string = newIdempotencyKey) {}

  /** The key to send `request` (a JSON-serialisable body) with. */
  keyFor(request: unknown): string {
    const fingerprint = JSON.stringify(request);
    if (this.current?.request !== fingerprint) this.current = { request: fingerprint, key: this.makeKey() };
    return this.current.key;
  }

  /** The pending request has a definite outcome: whatever is sent next is a new message. */
  settle(): void {
    this.current = null;
  }
}

/**
 * Whether a failed send may still have been (or be being) sent, so a retry must reuse its key: no
 * answer, an answer we could not read, a 409 for the key still in progress, a 5xx. A refusal (4xx)
 * sent nothing, and PROVIDER_ERROR is a recorded failure; those are definite.
 */
export function mayHaveBeenSent(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (error.code === 'PROVIDER_ERROR') return false;
  return error.status === 0 || error.status >= 500 || error.code === 'BAD_RESPONSE' || error.code === 'IDEMPOTENCY_IN_PROGRESS';
}
