// What a job's status allows: whether it is still moving (and polled), and which controls are legal
// from it — the same table as `wecare_core::bulk::control`, so a button is offered only when the
// API would accept it.
import type { Job, JobStatus } from './bulk-job';

export type Control = 'pause' | 'resume' | 'cancel';

const LEGAL: Record<Control, readonly JobStatus[]> = {
  pause: ['PENDING', 'RUNNING'],
  resume: ['PAUSED'],
  cancel: ['PENDING', 'RUNNING', 'PAUSED'],
};

/** A job that may still change: pending, running or paused. */
export function isActive(status: string): boolean {
  return status === 'PENDING' || status === 'RUNNING' || status === 'PAUSED';
}

/** Nothing more happens to a job in a final state. */
export function isFinal(status: string): boolean {
  return status === 'CANCELLED' || status === 'COMPLETED' || status === 'COMPLETED_WITH_FAILURES';
}

export function controlsFor(status: string): Control[] {
  return (Object.keys(LEGAL) as Control[]).filter((c) => (LEGAL[c] as readonly string[]).includes(status));
}

/** How long after its last change a finished job is still watched for its last counts and report. */
export const SETTLE_WATCH_MS = 10 * 60_000;

/**
 * Whether a job may still change on screen: it is pending, running or paused — or it has just
 * finished and its last recipients are still being settled (a cancel sweeps them after the status
 * has changed) or its report is still being written. A finished job that has not changed for
 * {@link SETTLE_WATCH_MS} is left alone, whatever it lacks.
 */
export function isSettling(job: Pick<Job, 'status' | 'progress' | 'reportReady' | 'updatedAt' | 'finishedAt'>, now = Date.now()): boolean {
  if (isActive(job.status)) return true;
  if (!isFinal(job.status) || (job.progress.pending === 0 && job.reportReady)) return false;
  const last = Date.parse(job.finishedAt ?? job.updatedAt);
  return !Number.isNaN(last) && now - last < SETTLE_WATCH_MS;
}
