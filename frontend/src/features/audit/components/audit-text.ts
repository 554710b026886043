// How the audit log reads: actions in words, who did it, what was touched, and the fields a change
// moved from one value to another.
import type { SelectOption } from '@/components/SelectField';
import type { AuditEntry, AuditFilters } from '../api/audit-entry';

const ACTIONS: Record<string, string> = {
  'contact.create': 'Created a contact',
  'contact.update': 'Changed a contact',
  'contact.delete': 'Deleted a contact',
  'contact.read': 'Opened a contact',
  'contact.list': 'Listed contacts',
  'contact.search': 'Searched contacts',
  'consent.opt_in': 'Opted in by keyword',
  'consent.opt_out': 'Opted out by keyword',
  'consent.keyword_not_applied': 'Keyword arrived late, not applied',
  'consent.keyword_restated': 'Keyword repeated consent',
  'message.send': 'Sent a message',
  'message.list': 'Read a conversation',
  'conversation.read': 'Marked a conversation read',
  'conversation.list': 'Listed conversations',
  'media.upload': 'Uploaded a file',
  'bulk.job.create': 'Started a bulk job',
  'bulk.job.pause': 'Paused a bulk job',
  'bulk.job.resume': 'Resumed a bulk job',
  'bulk.job.cancel': 'Cancelled a bulk job',
  'bulk.job.finish': 'Bulk job finished',
  'dlq.list': 'Looked at failed messages',
  'dlq.replay': 'Replayed a failed message',
  'template.create': 'Submitted a template',
  'template.delete': 'Deleted a template',
  'template.sync': 'Synced templates',
  'user.invite': 'Invited a user',
  'user.role_change': 'Changed a role',
  'user.disable': 'Disabled a user',
  'user.enable': 'Enabled a user',
  'user.update': 'Changed a user',
  'user.list': 'Listed users',
  'user.sign_in': 'Signed in',
  'audit.search': 'Searched the audit log',
  'settings.update': 'Changed settings',
  'settings.read': 'Opened settings',
};

/** "Changed a role", or the action itself when it has no words here yet. */
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** The action filter's choices: everything, a family of actions, or the ones asked about most. */
export const ACTION_FILTERS: readonly SelectOption[] = [
  { value: '', label: 'All actions' },
  { value: 'contact.*', label: 'Contacts' },
  { value: 'consent.*', label: 'Consent keywords' },
  { value: 'message.send', label: 'Sends' },
  { value: 'bulk.*', label: 'Bulk jobs' },
  { value: 'dlq.replay', label: 'Replays' },
  { value: 'template.*', label: 'Templates' },
  { value: 'user.*', label: 'Users and roles' },
  { value: 'user.sign_in', label: 'Sign-ins' },
  { value: 'settings.*', label: 'Settings' },
];

export const OUTCOME_FILTERS: readonly SelectOption[] = [
  { value: '', label: 'Any outcome' },
  { value: 'success', label: 'Done' },
  { value: 'denied', label: 'Denied' },
  { value: 'failed', label: 'Failed' },
];

export const RESOURCE_TYPES: readonly SelectOption[] = [
  { value: '', label: 'Any' },
  { value: 'contact', label: 'Contact' },
  { value: 'bulk-job', label: 'Bulk job' },
  { value: 'user', label: 'User' },
  { value: 'whatsapp-template', label: 'Template' },
  { value: 'dlq-message', label: 'Failed message' },
];

const RESOURCE_NAMES: Record<string, string> = {
  contact: 'Contact',
  'bulk-job': 'Bulk job',
  user: 'User',
  'whatsapp-template': 'Template',
  'dlq-message': 'Failed message',
  dlq: 'Failed messages',
  audit: 'Audit log',
  settings: 'Settings',
};

/** "Contact c-1"; a user by the email the entry recorded for them, when it did. */
export function resourceLabel(entry: Pick<AuditEntry, 'resourceType' | 'resourceId'> & Partial<Pick<AuditEntry, 'after'>>): string {
  const type = RESOURCE_NAMES[entry.resourceType] ?? entry.resourceType;
  // A tenant has one set of settings: its id says nothing more.
  if (entry.resourceId === '*' || entry.resourceType === 'settings') return type;
  const email = (entry.after as { email?: unknown } | undefined)?.email;
  if (entry.resourceType === 'user' && typeof email === 'string' && email) return `${type} ${email}`;
  return `${type} ${entry.resourceId}`;
}

/** The page of the console a resource has, if any. */
export function resourceLink(entry: Pick<AuditEntry, 'resourceType' | 'resourceId'>): string | null {
  if (entry.resourceId === '*') return null;
  const id = encodeURIComponent(entry.resourceId);
  if (entry.resourceType === 'contact') return `/contacts/${id}`;
  if (entry.resourceType === 'bulk-job') return `/bulk/${id}`;
  return null;
}

/** Who did it: their email, "The platform" for what it did on its own, else their id. */
export function actorLabel(entry: Pick<AuditEntry, 'actorId' | 'actorEmail'>): string {
  if (entry.actorEmail) return entry.actorEmail;
  if (entry.actorId === 'system') return 'The platform';
  return entry.actorId;
}

export type OutcomeTone = 'success' | 'danger' | 'warning' | 'neutral';

export function outcomeView(outcome: string): { label: string; tone: OutcomeTone } {
  switch (outcome) {
    case 'success':
      return { label: 'Done', tone: 'success' };
    case 'denied':
      return { label: 'Denied', tone: 'danger' };
    case 'failed':
      return { label: 'Failed', tone: 'danger' };
    case 'unknown':
      return { label: 'Unknown', tone: 'warning' };
    default:
      return { label: outcome.replaceAll('_', ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()), tone: 'neutral' };
  }
}

/** A recorded value as a person reads it. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export interface ChangeRow {
  field: string;
  before: string;
  after: string;
  changed: boolean;
}

/** The fields of an entry's before and after side by side, each once, in the order recorded. */
export function changeRows(before: unknown, after: unknown): ChangeRow[] {
  const asObject = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const b = asObject(before);
  const a = asObject(after);
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.map((field) => ({
    field,
    before: field in b ? formatValue(b[field]) : '—',
    after: field in a ? formatValue(a[field]) : '—',
    changed: JSON.stringify(b[field]) !== JSON.stringify(a[field]),
  }));
}

/** "from 1 Dec 2026 to 3 Dec 2026", for the list's name and the empty state. */
export function describeFilters(filters: AuditFilters): string {
  const parts: string[] = [];
  if (filters.actor.trim()) parts.push(`by ${filters.actor.trim()}`);
  if (filters.action) parts.push(ACTION_FILTERS.find((o) => o.value === filters.action)?.label.toLowerCase() ?? filters.action);
  if (filters.resourceType && filters.resourceId.trim()) {
    parts.push(`on ${(RESOURCE_NAMES[filters.resourceType] ?? filters.resourceType).toLowerCase()} ${filters.resourceId.trim()}`);
  }
  if (filters.outcome) parts.push(OUTCOME_FILTERS.find((o) => o.value === filters.outcome)?.label.toLowerCase() ?? filters.outcome);
  if (filters.from) parts.push(`from ${filters.from}`);
  if (filters.to) parts.push(`until ${filters.to}`);
  return parts.join(', ');
}
