// A job's progress: one bar split by outcome (sent, failed, skipped, unknown, cancelled; what is
// left is pending), exposed as a progressbar whose value text says it in words.
import type { Progress } from '../api/bulk-job';
import { formatCount } from './bulk-text';
import { barSegments, OUTCOME_LABEL, outcomeCounts, percentSettled, progressSentence, settledCount, type Outcome } from './progress';

export function JobProgressBar({ progress, label, compact = false }: { progress: Progress; label: string; compact?: boolean }) {
  const settled = Math.min(settledCount(progress), progress.total);
  return (
    <div
      className={['progress-bar', compact ? 'progress-bar--compact' : null].filter(Boolean).join(' ')}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={Math.max(progress.total, 1)}
      aria-valuenow={settled}
      aria-valuetext={progressSentence(progress)}
    >
      {barSegments(progress).map((segment) => (
        <span
          key={segment.outcome}
          className={`progress-bar__segment progress-bar__segment--${segment.outcome}`}
          style={{ width: `${segment.width}%` }}
        />
      ))}
    </div>
  );
}

const SHOWN: readonly (Outcome | 'pending')[] = ['sent', 'failed', 'skipped', 'unknown', 'cancelled', 'pending'];

/** Every count with its colour key: the numbers the bar draws. */
export function OutcomeCounts({ progress }: { progress: Progress }) {
  const counts = { ...outcomeCounts(progress), pending: progress.pending };
  return (
    <dl className="outcome-counts">
      <div className="outcome-counts__item">
        <dt>Recipients</dt>
        <dd>{formatCount(progress.total)}</dd>
      </div>
      {SHOWN.map((key) => (
        <div key={key} className="outcome-counts__item">
          <dt>
            <span className={`legend-swatch legend-swatch--${key}`} aria-hidden="true" />
            {OUTCOME_LABEL[key]}
          </dt>
          <dd>{formatCount(counts[key])}</dd>
        </div>
      ))}
      <div className="outcome-counts__item">
        <dt>Done</dt>
        <dd>{percentSettled(progress)} %</dd>
      </div>
    </dl>
  );
}
