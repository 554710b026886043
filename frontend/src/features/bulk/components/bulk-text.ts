// The words the bulk pages use for statuses, reasons and durations.
import { channelName, type MessageChannel } from '@/components/ChannelIcon';
import { formatDateTime } from '@/utils/format';
import type { ExclusionReason, Job, JobStatus } from '../api/bulk-job';

export type Tone = 'neutral' | 'progress' | 'success' | 'warning' | 'danger';

const STATUS: Record<JobStatus, { label: string; tone: Tone }> = {
  PENDING: { label: 'Preparing', tone: 'progress' },
  RUNNING: { label: 'Sending', tone: 'progress' },
  PAUSED: { label: 'Paused', tone: 'warning' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral' },
  COMPLETED: { label: 'Completed', tone: 'success' },
  COMPLETED_WITH_FAILURES: { label: 'Completed with failures', tone: 'danger' },
};

/** A job's status in words, and the colour of its badge (the words carry the meaning). */
export function statusView(status: string): { label: string; tone: Tone } {
  return (STATUS as Record<string, { label: string; tone: Tone }>)[status] ?? { label: humanize(status), tone: 'neutral' };
}

/** Status filter choices of the jobs list. */
export const STATUS_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All statuses' },
  ...(Object.keys(STATUS) as JobStatus[]).map((value) => ({ value, label: STATUS[value].label })),
];

const REASONS: Record<ExclusionReason, { label: string; advice: string }> = {
  not_opted_in: {
    label: 'Not opted in',
    advice: 'Record their consent on the contact’s page if they gave it, then preview again.',
  },
  opted_out_by_keyword: {
    label: 'Opted out by keyword (STOP)',
    advice: 'They asked not to be contacted on this channel; only they can opt in again.',
  },
  deleted: { label: 'Contact deleted', advice: 'Deleted contacts are never sent to.' },
  missing_address: {
    label: 'No address for this channel',
    advice: 'Add a phone number or email address to the contact (or the CSV row).',
  },
  invalid_address: { label: 'Invalid address', advice: 'Correct the phone number or email address.' },
  duplicate_in_list: { label: 'Duplicate in the list', advice: 'Each person gets the message once; nothing to do.' },
  outside_window_without_template: {
    label: 'Outside the 24-hour window',
    advice: 'WhatsApp text only reaches people who wrote in the last 24 hours; send a template to reach everyone.',
  },
  over_tier: {
    label: 'Over the WhatsApp tier limit',
    advice: 'Send to fewer people, or wait until earlier conversations expire.',
  },
  missing_variable: {
    label: 'No value for a placeholder',
    advice: 'Give every row a value for each {{placeholder}} the message uses, or remove the placeholder.',
  },
};

/** A reason in words: ours by name, a snake_case one made readable, a provider's code as it is. */
export function reasonLabel(reason: string): string {
  const known = (REASONS as Record<string, { label: string } | undefined>)[reason]?.label;
  if (known) return known;
  return /^[a-z]+(_[a-z]+)+$/.test(reason) ? humanize(reason) : reason;
}

export function reasonAdvice(reason: string): string | null {
  return (REASONS as Record<string, { advice: string } | undefined>)[reason]?.advice ?? null;
}

export const RECIPIENT_STATUS_LABEL: Record<string, string> = {
  failed: 'Failed',
  sent: 'Sent',
  skipped: 'Skipped',
  unknown: 'Delivery unknown',
  cancelled: 'Cancelled',
  pending: 'Pending',
};

export function channelLabel(channel: string): string {
  return (channelName as Record<string, string | undefined>)[channel] ?? channel;
}

export function isMessageChannel(channel: string): channel is MessageChannel {
  return channel === 'whatsapp' || channel === 'sms' || channel === 'email';
}

/** "not_opted_in" → "Not opted in", "SOME_STATUS" → "Some status". */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : value;
}

const numbers = new Intl.NumberFormat();

/** "1,234" in the reader's locale. */
export function formatCount(n: number): string {
  return numbers.format(n);
}

/** "1 recipient", "1,234 recipients". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "under a second", "45 seconds", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.ceil(seconds);
  if (s < 1) return 'under a second';
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = s % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** "18.5 messages per second". */
export function formatRate(perSecond: number): string {
  const rounded = perSecond >= 10 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10;
  return `${formatCount(rounded)} ${rounded === 1 ? 'message' : 'messages'} per second`;
}

/** What a job is called on screen: its name, else its channel and when it was created. */
export function jobTitle(job: Pick<Job, 'name' | 'channel' | 'createdAt'>): string {
  return job.name?.trim() || `${channelLabel(job.channel)} job of ${formatDateTime(job.createdAt)}`;
}
