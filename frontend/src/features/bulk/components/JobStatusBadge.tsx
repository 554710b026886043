import { statusView } from './bulk-text';

/** A job's status as a badge: the words say it, the colour only echoes them. */
export function JobStatusBadge({ status }: { status: string }) {
  const view = statusView(status);
  return <span className={`status-badge status-badge--${view.tone}`}>{view.label}</span>;
}
