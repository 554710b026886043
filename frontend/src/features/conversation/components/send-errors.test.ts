import { ApiError } from '@/lib/api-error';
import { describeSendError } from './send-errors';

const STATUS: Record<string, number> = {
  RATE_LIMITED: 429,
  NOT_ALLOWLISTED: 403,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PROVIDER_ERROR: 502,
  NETWORK: 0,
  INTERNAL: 500,
};

const describe_ = (code: string, message = '', retryAfter: number | null = null, channel: 'whatsapp' | 'sms' | 'email' = 'whatsapp') =>
  describeSendError(new ApiError(STATUS[code] ?? 400, code, message, false, retryAfter), channel, 'Ada');

describe('describeSendError', () => {
  it('explains consent, the window, the allowlist and the tier', () => {
    expect(describe_('NOT_OPTED_IN', 'the contact has not opted in to sms', null, 'sms')).toBe(
      "Ada has not opted in to SMS messages, so nothing was sent. Record their consent on the contact's page first.",
    );
    expect(describe_('TEMPLATE_REQUIRED')).toMatch(/window is closed.*Send an approved template/);
    expect(describe_('NOT_ALLOWLISTED', 'pn-9 is not one of your organisation’s whatsapp senders')).toBe(
      'The chosen sender is not one of your organisation’s WhatsApp senders, so nothing was sent. Choose another in “From” (the list has been reloaded), or ask an Admin.',
    );
    expect(describe_('NOT_ALLOWLISTED', '', null, 'email')).toMatch(/not one of your organisation’s Email senders/);
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

  it('says a provider failure was recorded, and that sending again makes a new message', () => {
    expect(describe_('PROVIDER_ERROR', 'the provider refused it: bad number (ValidationException)')).toBe(
      'The provider refused it: bad number (ValidationException). It is recorded as failed in the conversation; check the reason there, correct what it names, then press Send to try again as a new message.',
    );
  });

  it('says when pressing Send again is safe: no answer, an error on our side, the same message still in progress', () => {
    const safe = /Press Send again without changing the message: it will not be sent twice\.$/i;
    expect(describe_('NETWORK', 'POST /messages/whatsapp got no answer')).toMatch(/^Cannot reach the server, so it is not known whether the message went\./);
    expect(describe_('NETWORK')).toMatch(safe);
    expect(describe_('INTERNAL', 'boom')).toMatch(/^Something went wrong on our side, and the message may not have been sent\./);
    expect(describe_('INTERNAL')).toMatch(safe);
    expect(describeSendError(new ApiError(503, 'HTTP_503', 'POST /messages/sms failed with HTTP 503'), 'sms', 'Ada')).toMatch(safe);
    expect(describe_('IDEMPOTENCY_IN_PROGRESS', 'the same request is still being processed')).toMatch(
      /^This message is still being processed\. Wait a few seconds and check the conversation; if it is not there, press Send again/,
    );
    expect(describeSendError(new Error('boom'), 'sms', 'Ada')).toMatch(safe);
  });

  it('shows what the API says about a key used for another message, and what to do', () => {
    expect(describe_('IDEMPOTENCY_KEY_REUSED', 'the Idempotency-Key was used for a different message')).toBe(
      'The Idempotency-Key was used for a different message. Nothing was sent: press Send again to send it as a new message.',
    );
  });

  it('never shows internals', () => {
    expect(describeSendError(new ApiError(500, 'INTERNAL', 'panic at the disco'), 'sms', 'Ada')).not.toMatch(/panic/);
    expect(describeSendError(new Error('boom'), 'sms', 'Ada')).not.toMatch(/boom/);
  });
});
