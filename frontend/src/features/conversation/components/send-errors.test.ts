import { ApiError } from '@/lib/api-error';
import { describeSendError } from './send-errors';

const describe_ = (code: string, message = '', retryAfter: number | null = null, channel: 'whatsapp' | 'sms' | 'email' = 'whatsapp') =>
  describeSendError(new ApiError(code === 'RATE_LIMITED' ? 429 : 400, code, message, false, retryAfter), channel, 'Ada');

describe('describeSendError', () => {
  it('explains consent, the window, the allowlist and the tier', () => {
    expect(describe_('NOT_OPTED_IN', 'the contact has not opted in to sms', null, 'sms')).toBe(
      "Ada has not opted in to SMS messages, so nothing was sent. Record their consent on the contact's page first.",
    );
    expect(describe_('TEMPLATE_REQUIRED')).toMatch(/window is closed.*Send an approved template/);
    expect(describe_('NOT_ALLOWLISTED', 'pn-9 is not an allowed WhatsApp sender')).toMatch(/not on the allowlist/);
    expect(describe_('TIER_LIMIT_EXCEEDED')).toMatch(/messaging tier/);
  });

  it('says when to retry after throttling', () => {
    expect(describe_('RATE_LIMITED', 'sending too fast', 3, 'sms')).toBe('Sending too fast on SMS. Nothing was sent; try again in 3 seconds.');
    expect(describe_('RATE_LIMITED', 'sending too fast', 1)).toMatch(/in 1 second\.$/);
    expect(describe_('RATE_LIMITED')).toMatch(/in a moment\.$/);
  });

  it('turns field messages into sentences', () => {
    expect(describe_('VALIDATION_FAILED', 'text: must be 1-1600 characters, got 0')).toBe(
      'The message must be 1-1600 characters, got 0.',
    );
    expect(describe_('VALIDATION_FAILED', 'template.language: is required (e.g. en_US)')).toBe(
      'The language code is required (e.g. en_US).',
    );
    expect(describe_('VALIDATION_FAILED', 'contactId: the contact has no phone')).toBe('The contact has no phone.');
    expect(describe_('VALIDATION_FAILED', 'message: the provider refused it: bad number (InvalidParameter)')).toBe(
      'The provider refused it: bad number (InvalidParameter).',
    );
  });

  it('words what the API says about a file, and a failed upload', () => {
    expect(describe_('VALIDATION_FAILED', 'mimeType: type image/gif is not accepted by WhatsApp')).toBe(
      'Type image/gif is not accepted by WhatsApp.',
    );
    expect(describe_('VALIDATION_FAILED', 'media.caption: is too long (5000 characters, at most 4096)')).toBe(
      'The caption is too long (5000 characters, at most 4096).',
    );
    expect(describe_('VALIDATION_FAILED', 'media.s3Key: nothing has been uploaded there')).toBe('Nothing has been uploaded there.');
    expect(describe_('UPLOAD_FAILED', 'the file storage answered HTTP 403')).toBe(
      'The file could not be uploaded (the file storage answered HTTP 403), so nothing was sent. Try again.',
    );
  });

  it('says a provider failure was recorded', () => {
    expect(describe_('PROVIDER_ERROR', 'the provider failed to send it after retries: Throttled (ThrottlingException)')).toBe(
      'The provider failed to send it after retries: Throttled (ThrottlingException). It is recorded as failed in the conversation.',
    );
  });

  it('never shows internals', () => {
    expect(describeSendError(new ApiError(500, 'INTERNAL', 'panic at the disco'), 'sms', 'Ada')).not.toMatch(/panic/);
    expect(describeSendError(new Error('boom'), 'sms', 'Ada')).not.toMatch(/boom/);
  });
});
