import { ApiError, describeError, fieldErrorOf, parseRetryAfter } from './api-error';

describe('fieldErrorOf', () => {
  it('reads the field a validation message starts with', () => {
    expect(fieldErrorOf(new ApiError(400, 'VALIDATION_FAILED', 'phone: is not a valid number for its country'))).toEqual({
      field: 'phone',
      message: 'is not a valid number for its country',
    });
  });

  it('reads conflicts too', () => {
    expect(fieldErrorOf(new ApiError(409, 'CONFLICT', 'email: already belongs to contact c-1'))?.field).toBe('email');
  });

  it('ignores other errors and messages without a field', () => {
    expect(fieldErrorOf(new ApiError(403, 'FORBIDDEN', 'name: whatever'))).toBeNull();
    expect(fieldErrorOf(new ApiError(400, 'VALIDATION_FAILED', 'the body is not JSON'))).toBeNull();
    expect(fieldErrorOf(new Error('phone: x'))).toBeNull();
  });
});

describe('describeError', () => {
  it('never shows internals of a server error', () => {
    expect(describeError(new ApiError(500, 'INTERNAL', 'stack trace…'))).not.toContain('stack');
    expect(describeError(new ApiError(0, 'NETWORK', 'x'))).toMatch(/Cannot reach the server/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(parseRetryAfter('Fri, 20 Nov 2026 10:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('says when to retry a throttled request', () => {
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'x', false, 2))).toBe('Too many requests. Try again in 2 seconds.');
  });
});
