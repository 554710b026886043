import { ApiError } from '@/lib/api-error';
import { describeApproveError, describeDecisionError, describeSuggestError } from './ai-errors';

const error = (status: number, code: string, message = '', retryAfter: number | null = null) => new ApiError(status, code, message, false, retryAfter);

describe('describeSuggestError', () => {
  it('says to try again shortly when the AI service is busy', () => {
    expect(describeSuggestError(error(429, 'AI_THROTTLED', 'The AI service is busy: try again in a few seconds.'), 'Ada')).toBe(
      'The AI service is busy: try again in a few seconds.',
    );
    expect(describeSuggestError(error(429, 'AI_THROTTLED', '', 7), 'Ada')).toBe('The AI service is busy: try again in 7 seconds.');
  });

  it('explains that there is nothing to reply to until the contact writes', () => {
    expect(describeSuggestError(error(409, 'NOTHING_TO_REPLY_TO'), 'Ada')).toBe(
      'Ada has not sent a message yet, so there is nothing to reply to. A draft can be suggested once they write.',
    );
  });

  it('says to write the reply yourself when the assistant is unavailable, whatever the 5xx', () => {
    const advice = 'The assistant is unavailable right now. Write the reply yourself below, or try again later.';
    expect(describeSuggestError(error(502, 'AI_UNAVAILABLE'), 'Ada')).toBe(advice);
    expect(describeSuggestError(error(500, 'INTERNAL'), 'Ada')).toBe(advice);
    expect(describeSuggestError(error(503, 'HTTP_503'), 'Ada')).toBe(advice);
    expect(describeSuggestError(new Error('boom'), 'Ada')).toBe(advice);
  });

  it('says what to do without a connection, for a gone contact, and for a role without the right', () => {
    expect(describeSuggestError(error(0, 'NETWORK'), 'Ada')).toMatch(/^Cannot reach the server\. Check your connection and try again/);
    expect(describeSuggestError(error(404, 'NOT_FOUND'), 'Ada')).toBe('This contact does not exist or was deleted.');
    expect(describeSuggestError(error(403, 'FORBIDDEN'), 'Ada')).toBe('Your role does not allow asking the assistant for drafts.');
  });
});

describe('describeApproveError', () => {
  it('gives the send pipeline’s own words, then what to do', () => {
    expect(describeApproveError(error(403, 'NOT_OPTED_IN', 'the contact has not opted in to whatsapp'), 'Ada')).toBe(
      'The contact has not opted in to whatsapp. Nothing was sent: Ada has not opted in to WhatsApp messages. Record their consent on the contact’s page first; the draft stays here.',
    );
    expect(describeApproveError(error(422, 'WINDOW_CLOSED', 'The 24-hour window is closed'), 'Ada')).toMatch(
      /^The 24-hour window is closed\. Nothing was sent: .* Send an approved template from the composer instead, or reject this draft\.$/,
    );
    expect(describeApproveError(error(422, 'TEMPLATE_REQUIRED', ''), 'Ada')).toMatch(/^Nothing was sent: the 24-hour WhatsApp window is closed/);
    expect(describeApproveError(error(429, 'RATE_LIMITED', 'Too many sends', 3), 'Ada')).toBe(
      'Too many sends. Nothing was sent: sending too fast on WhatsApp. The draft stays; approve it again — try again in 3 seconds.',
    );
    expect(describeApproveError(error(403, 'NOT_ALLOWLISTED', ''), 'Ada')).toMatch(/Ask an Admin/);
    expect(describeApproveError(error(429, 'TIER_LIMIT_EXCEEDED', ''), 'Ada')).toMatch(/tier’s limit .* Try again later\.$/);
  });

  it('says a draft decided elsewhere sent nothing more', () => {
    expect(describeApproveError(error(409, 'CONFLICT', 'already decided'), 'Ada')).toBe(
      'This draft was already decided, here or by a colleague: nothing more was sent. The list now shows its outcome.',
    );
  });

  it('names what is wrong with an edited reply', () => {
    expect(describeApproveError(error(400, 'VALIDATION_FAILED', 'text: is 5000 characters long; at most 4096 are allowed'), 'Ada')).toBe(
      'The edited reply is 5000 characters long; at most 4096 are allowed. Shorten or correct it, then approve it again.',
    );
  });

  it('says an unknown outcome is safe to finish, since a draft is sent once', () => {
    for (const e of [error(0, 'NETWORK'), error(500, 'INTERNAL'), error(504, 'HTTP_504'), new Error('x')]) {
      expect(describeApproveError(e, 'Ada')).toMatch(/It is not known whether the reply was sent\. .*“Finish approving” — it will not be sent twice\.$/);
    }
  });
});

describe('describeDecisionError', () => {
  it('explains a conflict, a refused reason or comment, and anything else with what was not done', () => {
    expect(describeDecisionError(error(409, 'CONFLICT'), 'reject')).toMatch(/^This draft was already decided or is being approved/);
    expect(describeDecisionError(error(409, 'CONFLICT'), 'rate')).toMatch(/^This draft changed meanwhile/);
    expect(describeDecisionError(error(400, 'VALIDATION_FAILED', 'reason: is required'), 'reject')).toBe('The reason is required.');
    expect(describeDecisionError(error(400, 'VALIDATION_FAILED', 'comment: is 1200 characters long'), 'rate')).toBe('The comment is 1200 characters long.');
    expect(describeDecisionError(error(0, 'NETWORK'), 'reject')).toBe(
      'Cannot reach the server. Check your connection and try again. The draft was not rejected.',
    );
    expect(describeDecisionError(error(500, 'INTERNAL'), 'rate')).toBe('Something went wrong on our side. Try again in a moment. The rating was not recorded.');
  });
});
