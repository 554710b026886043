// The Agent pages' words and numbers: what a refused question means and what to do, rates and
// latencies as people read them, the per-day charts' columns, and a draft's status in words.
import type { StackColumn } from '@/components/charts/StackedBarChart';
import { ApiError, describeError, fieldErrorOf, seconds } from '@/lib/api-error';
import type { DraftStatus, Feedback, InteractionKind, StatsDay } from '../api/interaction';

/** Why a question got no answer, and what to do next. */
export function describeAskError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try asking again in a moment.';
  switch (error.code) {
    case 'AI_THROTTLED':
    case 'RATE_LIMITED':
      return `The AI service is busy: try again in ${error.retryAfterSeconds ? seconds(error.retryAfterSeconds) : 'a few seconds'}.`;
    case 'AI_UNAVAILABLE':
      return 'The knowledge base cannot be reached right now. Try again in a few minutes; if it keeps failing, tell an Admin.';
    case 'VALIDATION_FAILED': {
      const field = fieldErrorOf(error);
      return field?.field === 'question' ? `The question ${field.message}. Correct it and ask again.` : `${error.message} Correct the question and ask again.`;
    }
    case 'NOT_FOUND':
      return 'The contact this question was about no longer exists. Ask it without the contact.';
    case 'FORBIDDEN':
      return 'Your role does not allow asking the knowledge base.';
    default:
      return error.status >= 500 ? 'The knowledge base cannot be reached right now. Try again in a few minutes; if it keeps failing, tell an Admin.' : describeError(error);
  }
}

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** "82 %" (in the reader's locale), or null while there is nothing to divide. */
export function formatRate(rate: number | null): string | null {
  return rate === null || !Number.isFinite(rate) ? null : percentFormat.format(rate);
}

/** "850 ms", "1.2 s", "14 s". */
export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "5 Dec" for "2026-12-05" (a UTC day, as the API counts them). */
export function formatDay(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? date : dayLabel.format(at);
}

/** Drafts decided per day: approved, edited and rejected. */
export function decisionColumns(days: readonly StatsDay[]): StackColumn[] {
  return days.map((d) => ({ key: d.date, label: formatDay(d.date), values: { approved: d.approved, edited: d.edited, rejected: d.rejected } }));
}

/** Feedback per day: thumbs up and down. */
export function feedbackColumns(days: readonly StatsDay[]): StackColumn[] {
  return days.map((d) => ({ key: d.date, label: formatDay(d.date), values: { up: d.up, down: d.down } }));
}

export const DRAFT_STATUS_LABEL: Record<DraftStatus, string> = {
  suggested: 'Waiting for approval',
  approving: 'Approval in progress',
  approved: 'Approved',
  edited: 'Edited and approved',
  rejected: 'Rejected',
};

export const KIND_LABEL: Record<InteractionKind, string> = { query: 'Question', suggestion: 'Draft' };

export function feedbackLabel(feedback: Feedback | null): string {
  if (!feedback) return '';
  return feedback.rating === 'up' ? 'Helpful' : 'Not helpful';
}

/** `text` cut to about `max` characters at a word, with an ellipsis. */
export function shorten(text: string, max = 140): string {
  const chars = Array.from(text.trim());
  if (chars.length <= max) return chars.join('');
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > max * 0.6 ? head.slice(0, space) : head).trimEnd()}…`;
}
