// How an outbound message's delivery status is drawn, the same wherever a message is shown (the
// conversation's bubbles, the inbox's last message): ✓ queued or sent, ✓✓ delivered, highlighted
// ✓✓ read, "!" failed with its reason, and words for screen readers and the tooltip.

export interface StatusView {
  /** What a screen reader says, and the tooltip. */
  label: string;
  /** What is drawn: ✓, ✓✓, a word. */
  mark: string;
  tone: 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'dry-run';
}

export interface StatusOf {
  direction: 'inbound' | 'outbound';
  status: string;
  error?: { code?: string; message: string } | undefined;
}

/** How an outbound message's status is shown; null for inbound messages. */
export function statusView(message: StatusOf): StatusView | null {
  if (message.direction !== 'outbound') return null;
  switch (message.status) {
    case 'queued':
      return { label: 'Queued', mark: '✓', tone: 'pending' };
    case 'sent':
      return { label: 'Sent', mark: '✓', tone: 'sent' };
    case 'delivered':
      return { label: 'Delivered', mark: '✓✓', tone: 'delivered' };
    case 'read':
      return { label: 'Read', mark: '✓✓', tone: 'read' };
    case 'failed':
      return { label: message.error?.message ? `Failed: ${message.error.message}` : 'Failed', mark: '!', tone: 'failed' };
    case 'dry_run':
      return { label: 'Dry run: checked and recorded, not sent', mark: 'dry run', tone: 'dry-run' };
    default:
      return { label: message.status.replaceAll('_', ' '), mark: message.status.replaceAll('_', ' '), tone: 'pending' };
  }
}
