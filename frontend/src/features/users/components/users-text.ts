// How the Users page reads: what each role may do, where a member stands, and what an Admin is
// told when a change is refused.
import { ApiError, describeError } from '@/lib/api-error';
import { formatAgo } from '@/utils/format';
import type { Member, Role } from '../api/member';

export const ROLE_OPTIONS: readonly { value: Role; label: string }[] = [
  { value: 'Viewer', label: 'Viewer' },
  { value: 'Operator', label: 'Operator' },
  { value: 'Admin', label: 'Admin' },
];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  Viewer: 'Reads contacts, conversations, bulk jobs and templates.',
  Operator: 'Also changes contacts, sends messages and runs bulk jobs.',
  Admin: 'Everything, including users, failed messages, the audit log and settings.',
};

export type Tone = 'success' | 'danger' | 'warning' | 'neutral';

/** A member's status badges: enabled or disabled, and whether they have signed in yet. */
export function statusView(member: Pick<Member, 'status' | 'accountStatus'>): { label: string; tone: Tone }[] {
  const views: { label: string; tone: Tone }[] = [
    member.status === 'ENABLED' ? { label: 'Enabled', tone: 'success' } : { label: 'Disabled', tone: 'danger' },
  ];
  if (member.accountStatus === 'FORCE_CHANGE_PASSWORD') views.push({ label: 'Invited', tone: 'warning' });
  return views;
}

/** "5 minutes ago", or why there is no sign-in to show. */
export function lastSignInLabel(member: Pick<Member, 'lastSignInAt' | 'accountStatus'>, now = Date.now()): string {
  if (member.lastSignInAt) return formatAgo(member.lastSignInAt, now);
  return member.accountStatus === 'FORCE_CHANGE_PASSWORD' ? 'Not yet: waiting for their first sign-in' : 'Not seen yet';
}

/** How a member is named in sentences: their email, else their id. */
export function memberName(member: Pick<Member, 'email' | 'userId'>): string {
  return member.email ?? member.userId;
}

/** What went wrong with a change of `member`, and what to do about it. */
export function changeErrorMessage(error: unknown, member: Pick<Member, 'email' | 'userId'>): string {
  if (error instanceof ApiError) {
    if (error.code === 'LAST_ADMIN') {
      return `${memberName(member)} is the last enabled Admin of your organisation. Make someone else an Admin first, then try again.`;
    }
    if (error.code === 'CONFLICT') return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
    if (error.code === 'NOT_FOUND') return `${memberName(member)} is no longer in your team. Reload the list.`;
  }
  return describeError(error);
}
