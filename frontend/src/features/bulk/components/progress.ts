// A job's progress as the pages show it: how much is settled, the share of each outcome for the
// progress bar, and the counts in a fixed order. The API guarantees the counts add up to the total;
// the math here does not rely on it (a bar never overflows, a percentage never passes 100).
import type { Progress } from '../api/bulk-job';

export type Outcome = 'sent' | 'failed' | 'skipped' | 'unknown' | 'cancelled';

export const OUTCOMES: readonly Outcome[] = ['sent', 'failed', 'skipped', 'unknown', 'cancelled'];

export const OUTCOME_LABEL: Record<Outcome | 'pending', string> = {
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
  unknown: 'Delivery unknown',
  cancelled: 'Cancelled',
  pending: 'Pending',
};

export function skippedTotal(progress: Pick<Progress, 'skipped'>): number {
  return Object.values(progress.skipped).reduce((sum, n) => sum + n, 0);
}

/** Each outcome's count. */
export function outcomeCounts(progress: Progress): Record<Outcome, number> {
  return {
    sent: progress.sent,
    failed: progress.failed,
    skipped: skippedTotal(progress),
    unknown: progress.unknown,
    cancelled: progress.cancelled,
  };
}

/** Recipients with a final outcome. */
export function settledCount(progress: Progress): number {
  const counts = outcomeCounts(progress);
  return OUTCOMES.reduce((sum, o) => sum + counts[o], 0);
}

/** Whole percent settled, 0–100; 100 only once nothing is pending; 0 for an empty job. */
export function percentSettled(progress: Progress): number {
  if (progress.total <= 0) return 0;
  const settled = Math.min(settledCount(progress), progress.total);
  const percent = Math.floor((settled / progress.total) * 100);
  return settled < progress.total ? Math.min(percent, 99) : 100;
}

export interface BarSegment {
  outcome: Outcome;
  count: number;
  /** Share of the bar's width, 0–100; the segments never add up to more than 100. */
  width: number;
}

/** The non-empty outcomes as shares of the total, in a fixed order. */
export function barSegments(progress: Progress): BarSegment[] {
  const total = Math.max(progress.total, settledCount(progress));
  if (total <= 0) return [];
  const counts = outcomeCounts(progress);
  return OUTCOMES.filter((o) => counts[o] > 0).map((outcome) => ({
    outcome,
    count: counts[outcome],
    width: (counts[outcome] / total) * 100,
  }));
}

/** "42 of 100 settled (42 %)". */
export function progressSentence(progress: Progress): string {
  return `${settledCount(progress).toLocaleString()} of ${progress.total.toLocaleString()} settled (${percentSettled(progress)} %)`;
}
