import { templateStatusView } from './template-labels';

/** A template's status as a badge: the words say it, the colour only echoes them. */
export function TemplateStatusBadge({ status }: { status: string }) {
  const view = templateStatusView(status);
  return <span className={`status-badge status-badge--${view.tone}`}>{view.label}</span>;
}
