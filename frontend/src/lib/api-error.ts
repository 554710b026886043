// The one error type the API layer throws, whatever went wrong.
//
// The API answers `{"error":{"code","message"}}`; API Gateway itself answers `{"message"}` (401
// without a token, 403 when the authorizer refuses it). Both become an ApiError, and so do a
// network failure and a response that does not match its schema, so screens handle one shape.

export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** 409: a request with the same Idempotency-Key is still being processed; retry it shortly. */
  | 'IDEMPOTENCY_IN_PROGRESS'
  /** 422: the Idempotency-Key was already used for a different request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'NOT_OPTED_IN'
  | 'NOT_ALLOWLISTED'
  | 'TEMPLATE_REQUIRED'
  | 'TIER_LIMIT_EXCEEDED'
  | 'CONFIRMATION_REQUIRED'
  | 'RATE_LIMITED'
  | 'PROVIDER_ERROR'
  | 'INTERNAL'
  /** The request never got an answer. */
  | 'NETWORK'
  /** The answer did not have the documented shape. */
  | 'BAD_RESPONSE';

export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    /** HTTP status, 0 when there was no response. */
    readonly status: number,
    readonly code: ApiErrorCode | (string & {}),
    message: string,
    /** True when API Gateway answered (`{"message"}`) rather than a function. */
    readonly fromGateway = false,
    /** Seconds to wait before trying again, from a `Retry-After` header (429). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** The session is no longer accepted: the caller should sign out. */
  get isSessionRejected(): boolean {
    return this.status === 401 || (this.status === 403 && this.fromGateway);
  }

  /** A client error that retrying cannot fix. */
  get isPermanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

const FIELD_MESSAGE = /^([A-Za-z][A-Za-z0-9.]*): (.+)$/s;

/**
 * The field a VALIDATION_FAILED or CONFLICT message is about: the API starts those messages with
 * the field's name (`"phone: is not a valid number for its country"`).
 */
export function fieldErrorOf(error: unknown): FieldError | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT') return null;
  const match = FIELD_MESSAGE.exec(error.message);
  if (!match?.[1] || !match[2]) return null;
  return { field: match[1], message: match[2] };
}

/** "1 second", "12 seconds". */
export function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/**
 * `Retry-After` as whole seconds: either delay-seconds or an HTTP date; null when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A sentence for a person, for errors a screen does not handle itself. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'NETWORK':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'FORBIDDEN':
        return 'Your role does not allow this action.';
      case 'NOT_FOUND':
        return 'This item does not exist or was deleted.';
      case 'RATE_LIMITED':
        return error.retryAfterSeconds
          ? `Too many requests. Try again in ${seconds(error.retryAfterSeconds)}.`
          : 'Too many requests. Wait a moment and try again.';
      case 'INTERNAL':
      case 'BAD_RESPONSE':
        return 'Something went wrong on our side. Try again in a moment.';
      default:
        return error.message;
    }
  }
  return 'Something went wrong. Try again in a moment.';
}
