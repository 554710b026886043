// How an outbound message's delivery status is drawn, the same wherever a message is shown (the
// conversation's bubbles, the inbox's last message): "…" while the provider is being called, ✓ sent
// (or queued, as older records say), ✓✓ delivered, highlighted ✓✓ read, "!" failed with the
// provider's reason and code, "?" when nobody knows whether the provider took it, and words for
// screen readers and the tooltip.

export interface StatusView {
  /** What a screen reader says, and the tooltip. */
  label: string;
  /** What is drawn: ✓, ✓✓, a word. */
  mark: string;
  tone: 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown' | 'dry-run';
  /** More than the label can say: what it means and what to do (shown with the message, and in the tooltip). */
  detail?: string;
}

export interface StatusOf {
  direction: 'inbound' | 'outbound';
  status: string;
  error?: { code?: string; message: string } | undefined;
}

export const UNKNOWN_DELIVERY_LABEL = 'Delivery unknown';
export const UNKNOWN_DELIVERY_DETAIL =
  'We could not confirm whether the provider accepted this message. It will update if a delivery status arrives; check before sending it again.';

/** "Message undeliverable (131026)": the provider's words and code, whichever there are. */
export function failureReason(error: StatusOf['error']): string {
  const message = error?.message.trim() ?? '';
  const code = error?.code?.trim() ?? '';
  if (message && code) return `${message} (${code})`;
  return message || code;
}

/** How an outbound message's status is shown; null for inbound messages. */
export function statusView(message: StatusOf): StatusView | null {
  if (message.direction !== 'outbound') return null;
  switch (message.status) {
    case 'sending':
      return { label: 'Sending', mark: '…', tone: 'pending' };
    case 'queued':
      return { label: 'Queued', mark: '✓', tone: 'pending' };
    case 'sent':
      return { label: 'Sent', mark: '✓', tone: 'sent' };
    case 'delivered':
      return { label: 'Delivered', mark: '✓✓', tone: 'delivered' };
    case 'read':
      return { label: 'Read', mark: '✓✓', tone: 'read' };
    case 'failed': {
      const reason = failureReason(message.error);
      return { label: reason ? `Failed: ${reason}` : 'Failed', mark: '!', tone: 'failed' };
    }
    case 'unknown':
      return { label: UNKNOWN_DELIVERY_LABEL, mark: '?', tone: 'unknown', detail: UNKNOWN_DELIVERY_DETAIL };
    case 'dry_run':
      return { label: 'Dry run: checked and recorded, not sent', mark: 'dry run', tone: 'dry-run' };
    default:
      return { label: message.status.replaceAll('_', ' '), mark: message.status.replaceAll('_', ' '), tone: 'pending' };
  }
}
