import { ApiError } from '@/lib/api-error';
import { decisionColumns, describeAskError, feedbackColumns, formatDay, formatLatency, formatRate, shorten } from './agent-text';

const error = (status: number, code: string, message = '', retryAfter: number | null = null) => new ApiError(status, code, message, false, retryAfter);

describe('describeAskError', () => {
  it('says what to do for each refusal', () => {
    expect(describeAskError(error(429, 'AI_THROTTLED'))).toBe('The AI service is busy: try again in a few seconds.');
    expect(describeAskError(error(429, 'AI_THROTTLED', '', 4))).toBe('The AI service is busy: try again in 4 seconds.');
    expect(describeAskError(error(502, 'AI_UNAVAILABLE'))).toBe(
      'The knowledge base cannot be reached right now. Try again in a few minutes; if it keeps failing, tell an Admin.',
    );
    expect(describeAskError(error(500, 'INTERNAL'))).toMatch(/^The knowledge base cannot be reached right now\./);
    expect(describeAskError(error(400, 'VALIDATION_FAILED', 'question: is required'))).toBe('The question is required. Correct it and ask again.');
    expect(describeAskError(error(403, 'FORBIDDEN'))).toBe('Your role does not allow asking the knowledge base.');
    expect(describeAskError(error(0, 'NETWORK'))).toBe('Cannot reach the server. Check your connection and try again.');
    expect(describeAskError(new Error('x'))).toBe('Something went wrong. Try asking again in a moment.');
  });
});

describe('figures', () => {
  it('say rates as whole percentages, and nothing when unknown', () => {
    expect(formatRate(0.75)?.replace(/\s/g, ' ')).toMatch(/^75 ?%$/);
    expect(formatRate(1 / 3)?.replace(/\s/g, ' ')).toMatch(/^33 ?%$/);
    expect(formatRate(null)).toBeNull();
  });

  it('say latencies in milliseconds below a second, else in seconds', () => {
    expect(formatLatency(850)).toBe('850 ms');
    expect(formatLatency(1840)).toBe('1.8 s');
    expect(formatLatency(14_200)).toBe('14 s');
  });

  it('name UTC days whatever the reader’s zone, and cut long texts at a word', () => {
    expect(formatDay('2026-12-05')).toMatch(/5/);
    expect(formatDay('not a day')).toBe('not a day');
    expect(shorten('short')).toBe('short');
    expect(shorten('one two three four five', 14)).toBe('one two three…');
    expect(shorten('abcdefghijklmnop', 5)).toBe('abcde…');
  });

  it('make one chart column per day, with the counts of each series', () => {
    const days = [
      { date: '2026-12-04', queries: 0, suggested: 0, approved: 0, edited: 0, rejected: 0, up: 0, down: 0 },
      { date: '2026-12-05', queries: 3, suggested: 4, approved: 2, edited: 1, rejected: 1, up: 2, down: 1 },
    ];
    expect(decisionColumns(days).map((c) => [c.key, c.values])).toEqual([
      ['2026-12-04', { approved: 0, edited: 0, rejected: 0 }],
      ['2026-12-05', { approved: 2, edited: 1, rejected: 1 }],
    ]);
    expect(feedbackColumns(days).map((c) => c.values)).toEqual([{ up: 0, down: 0 }, { up: 2, down: 1 }]);
  });
});
