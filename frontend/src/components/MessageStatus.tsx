// An outbound message's delivery ticks (see utils/message-status): the mark is drawn for the eye,
// the words are there for screen readers and, with what they mean, as the tooltip. Nothing for
// inbound messages.
import { statusView, type StatusOf } from '@/utils/message-status';

export function MessageStatus({ message, className }: { message: StatusOf; className?: string }) {
  const view = statusView(message);
  if (!view) return null;
  return (
    <span
      className={['message-status', `message-status--${view.tone}`, className].filter(Boolean).join(' ')}
      title={view.detail ? `${view.label}. ${view.detail}` : view.label}
    >
      <span aria-hidden="true">{view.mark}</span>
      <span className="visually-hidden">{view.label}</span>
    </span>
  );
}
