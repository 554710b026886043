// The words for a template's status and category, and why one that is not approved cannot be sent.
import type { TemplateEntry } from '@/lib/whatsapp-templates';

export type StatusTone = 'neutral' | 'progress' | 'success' | 'warning' | 'danger';

const STATUS: Record<string, { label: string; tone: StatusTone }> = {
  APPROVED: { label: 'Approved', tone: 'success' },
  PENDING: { label: 'In review', tone: 'progress' },
  REJECTED: { label: 'Rejected', tone: 'danger' },
  PAUSED: { label: 'Paused', tone: 'warning' },
  DISABLED: { label: 'Disabled', tone: 'neutral' },
};

/** "SOME_THING" → "Some thing". */
function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : value;
}

/** A status in words and the colour of its badge (the words carry the meaning). */
export function templateStatusView(status: string): { label: string; tone: StatusTone } {
  return STATUS[status] ?? { label: humanize(status), tone: 'neutral' };
}

const CATEGORY: Record<string, string> = { MARKETING: 'Marketing', UTILITY: 'Utility', AUTHENTICATION: 'Authentication' };

export function categoryLabel(category: string): string {
  return CATEGORY[category] ?? humanize(category);
}

/** Why a template cannot be sent, in a sentence; null when it is approved. */
export function unavailableReason(entry: Pick<TemplateEntry, 'status' | 'rejectedReason'>): string | null {
  switch (entry.status) {
    case 'APPROVED':
      return null;
    case 'PENDING':
      return 'WhatsApp is still reviewing it; it can be sent once approved.';
    case 'REJECTED': {
      const reason = entry.rejectedReason?.trim();
      const words = reason && reason !== 'NONE' ? (/^[A-Z_]+$/.test(reason) ? humanize(reason).toLowerCase() : reason.replace(/\.$/, '')) : null;
      return `WhatsApp rejected it${words ? `: ${words}` : ''}. An Admin can correct it and submit it again as a new template.`;
    }
    case 'PAUSED':
      return 'WhatsApp paused it after poor feedback from recipients; it cannot be sent until WhatsApp lifts the pause.';
    case 'DISABLED':
      return 'WhatsApp disabled it; it can no longer be sent.';
    default:
      return `Its status is “${humanize(entry.status).toLowerCase()}”: only approved templates can be sent.`;
  }
}
