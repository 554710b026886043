// The words of the Failed messages page: what each queue holds, what a dead letter is about (from
// the summary the API decoded), where it stands, and what a replay did — each with what to do next.
import type { DeadLetter, DlqQueue, ReplayResult } from '../api/dead-letter';
import { MAX_ATTEMPTS } from '../api/dead-letter';

export interface QueueView {
  label: string;
  /** What fails into it, and what a replay does. */
  description: string;
}

export const QUEUE_VIEW: Record<DlqQueue, QueueView> = {
  'inbound-dlq': {
    label: 'Inbound',
    description:
      'WhatsApp events (messages, delivery statuses, template decisions) the platform could not process. A replay runs the inbound handler on the event again, so a message lands in its conversation.',
  },
  'bulk-dlq': {
    label: 'Bulk',
    description:
      'Bulk campaign work that kept failing. A replay puts it back on the bulk queue; recipients already sent to are not sent to again.',
  },
  'outbound-dlq': {
    label: 'Outbound',
    description:
      'Messages the platform itself failed to send (such as STOP confirmations). A replay sends each through the normal send path with its original key, so it is never sent twice.',
  },
};

const WHATSAPP_TYPES: Record<string, string> = {
  text: 'Text message',
  image: 'Photo',
  video: 'Video',
  audio: 'Voice or audio',
  document: 'Document',
  sticker: 'Sticker',
  location: 'Location',
  interactive: 'Button or list reply',
  button: 'Button reply',
  contacts: 'Shared contact',
  reaction: 'Reaction',
  status: 'Delivery status',
  message_template_status_update: 'Template decision',
  unreadable: 'Unreadable event',
  empty: 'Empty event',
};

const BULK_WORK: Record<string, string> = {
  expand: 'Preparing the recipient list',
  chunk: 'A chunk of recipients',
  check: 'Completion check',
  sweep: 'Cancellation sweep',
};

const CHANNELS: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

const PURPOSES: Record<string, string> = { opt_out_confirmation: 'STOP confirmation' };

const KINDS: Record<string, string> = {
  'sns-notification': 'Failed three times in the inbound handler',
  'unroutable-event': 'No tenant owned its number when it arrived',
  'lambda-on-failure': 'Lambda gave up after its retries',
};

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A link to the page of what a dead letter is about. */
export interface SummaryLink {
  to: string;
  label: string;
}

/** What a dead letter is about, in words. */
export interface SummaryView {
  title: string;
  /** Further lines (the text's start, the sender's number…). */
  details: string[];
  link: SummaryLink | null;
  /** How it reached the queue, when that tells something. */
  how: string | null;
}

function plural(n: number, one: string, many: string): string {
  return `${new Intl.NumberFormat().format(n)} ${n === 1 ? one : many}`;
}

function inboundView(s: Record<string, unknown>): Pick<SummaryView, 'title' | 'details'> {
  const type = text(s.messageType) ?? 'unknown';
  const label = WHATSAPP_TYPES[type] ?? `WhatsApp ${type}`;
  const details: string[] = [];
  const preview = text(s.textPreview);
  if (preview) details.push(`“${preview}”`);
  const messages = count(s.messages);
  if (messages !== null && messages > 1) details.push(`${plural(messages, 'message', 'messages')} in the event`);
  if (type === 'status' && Array.isArray(s.statuses)) {
    const statuses = s.statuses.filter((x): x is string => typeof x === 'string');
    if (statuses.length > 0) details.push(`Statuses: ${statuses.join(', ')}`);
  }
  if (type === 'message_template_status_update') {
    const template = text(s.template);
    const event = text(s.event);
    if (template) details.push(`Template ${template}${text(s.language) ? ` (${String(s.language)})` : ''}`);
    if (event) details.push(`Decision: ${event}`);
  }
  const sender = text(s.sender);
  return { title: sender ? `${label} from ${sender}` : label, details };
}

function bulkView(s: Record<string, unknown>): Pick<SummaryView, 'title' | 'details' | 'link'> {
  const work = text(s.work) ?? 'work';
  const job = text(s.jobId);
  const recipients = count(s.recipients);
  const title = work === 'chunk' && recipients !== null ? `A chunk of ${plural(recipients, 'recipient', 'recipients')}` : (BULK_WORK[work] ?? `Bulk ${work}`);
  return {
    title,
    details: job ? [`Job ${job}`] : [],
    link: job ? { to: `/bulk/${encodeURIComponent(job)}`, label: 'Open the job' } : null,
  };
}

function outboundView(s: Record<string, unknown>): Pick<SummaryView, 'title' | 'details' | 'link'> {
  const channel = text(s.channel);
  const purpose = text(s.purpose);
  const contact = text(s.contactId);
  const what = purpose ? (PURPOSES[purpose] ?? purpose.replace(/_/g, ' ')) : 'Message';
  const details: string[] = [];
  const from = text(s.from);
  if (from) details.push(`From ${from}`);
  return {
    title: channel ? `${what} on ${CHANNELS[channel] ?? channel}` : what,
    details,
    link: contact ? { to: `/contacts/${encodeURIComponent(contact)}`, label: 'Open the contact' } : null,
  };
}

export function summaryView(queue: DlqQueue, letter: DeadLetter): SummaryView {
  const s = letter.summary;
  const how = KINDS[letter.kind] ?? null;
  switch (queue) {
    case 'inbound-dlq':
      return { ...inboundView(s), link: null, how };
    case 'bulk-dlq':
      return { ...bulkView(s), how };
    case 'outbound-dlq':
      return { ...outboundView(s), how };
  }
}

export interface StateView {
  label: string;
  tone: 'neutral' | 'success' | 'danger' | 'warning';
  /** What the state means for the reader. */
  note: string | null;
}

export function stateView(letter: Pick<DeadLetter, 'state' | 'attempts' | 'lastError'>): StateView {
  switch (letter.state) {
    case 'pending':
      return {
        label: 'Waiting',
        tone: letter.attempts > 0 ? 'warning' : 'neutral',
        note:
          letter.attempts > 0
            ? `${plural(MAX_ATTEMPTS - letter.attempts, 'attempt', 'attempts')} left${letter.lastError ? `; the last failed: ${letter.lastError}` : ''}`
            : null,
      };
    case 'replayed':
      return { label: 'Replayed', tone: 'success', note: 'A copy is still in the queue; replaying it only removes it.' };
    case 'abandoned':
      return {
        label: 'Abandoned',
        tone: 'danger',
        note: `Not replayed again after ${plural(MAX_ATTEMPTS, 'attempt', 'attempts')}${letter.lastError ? `. Last error: ${letter.lastError}` : ''}`,
      };
    default:
      return { label: letter.state, tone: 'neutral', note: null };
  }
}

/** Whether a message may be selected for a replay (an abandoned one is never run again). */
export function isReplayable(letter: Pick<DeadLetter, 'state'>): boolean {
  return letter.state !== 'abandoned';
}

export interface OutcomeView {
  label: string;
  tone: 'success' | 'danger' | 'neutral';
  /** What happened, and what to do next when that is anything. */
  sentence: string;
}

export function outcomeView(result: ReplayResult): OutcomeView {
  const attempts = result.attempts ?? 0;
  switch (result.outcome) {
    case 'replayed':
      return {
        label: 'Replayed',
        tone: 'success',
        sentence: `${result.detail ? `${capitalise(result.detail)}.` : 'Done.'} It has left the queue.`,
      };
    case 'already-replayed':
      return { label: 'Already replayed', tone: 'success', sentence: 'It had been replayed before: its copy was removed from the queue, nothing ran again.' };
    case 'failed':
      if (result.state === 'abandoned') {
        return {
          label: 'Failed, abandoned',
          tone: 'danger',
          sentence: `${result.error ?? 'It failed again'}. That was attempt ${attempts} of ${MAX_ATTEMPTS}: it stays in the queue for reference and is not replayed again.`,
        };
      }
      return {
        label: 'Failed',
        tone: 'danger',
        sentence: `${result.error ?? 'It failed again'}. It stays in the queue (attempt ${attempts} of ${MAX_ATTEMPTS}): fix the cause, then replay it again.`,
      };
    case 'abandoned':
      return {
        label: 'Abandoned',
        tone: 'danger',
        sentence: `Not run: it failed ${plural(MAX_ATTEMPTS, 'time', 'times')} already${result.error ? ` (last error: ${result.error})` : ''}.`,
      };
    case 'not-found':
      return { label: 'Not found', tone: 'neutral', sentence: 'It is no longer in the queue (replayed or removed meanwhile). Refresh the list to see what is left.' };
    default:
      return { label: result.outcome, tone: 'neutral', sentence: result.error ?? result.detail ?? '' };
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "2 replayed, 1 failed": the results in a line. */
export function outcomeSummary(results: readonly ReplayResult[]): string {
  if (results.length === 0) return 'Nothing was replayed: the queue holds none of your messages.';
  const counts = new Map<string, number>();
  for (const r of results) {
    const label = outcomeView(r).label.toLowerCase();
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return `${[...counts].map(([label, n]) => `${n} ${label}`).join(', ')}.`;
}

/** "3", or "100+" when the queue held more than one look takes in. */
export function depthLabel(items: number, complete: boolean): string {
  return complete ? String(items) : `${items}+`;
}
