import { ApiError } from '@/lib/api-error';
import { changeErrorMessage, lastSignInLabel, memberName, statusView } from './users-text';

describe('users text', () => {
  it('shows whether a member is enabled and whether they have signed in since being invited', () => {
    expect(statusView({ status: 'ENABLED', accountStatus: 'CONFIRMED' })).toEqual([{ label: 'Enabled', tone: 'success' }]);
    expect(statusView({ status: 'DISABLED', accountStatus: 'FORCE_CHANGE_PASSWORD' })).toEqual([
      { label: 'Disabled', tone: 'danger' },
      { label: 'Invited', tone: 'warning' },
    ]);
  });

  it('says when they last signed in, or why there is nothing to say', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0);
    expect(lastSignInLabel({ lastSignInAt: new Date(now - 5 * 60_000).toISOString(), accountStatus: 'CONFIRMED' }, now)).toBe('5 minutes ago');
    expect(lastSignInLabel({ accountStatus: 'FORCE_CHANGE_PASSWORD' }, now)).toBe('Not yet: waiting for their first sign-in');
    expect(lastSignInLabel({ accountStatus: 'CONFIRMED' }, now)).toBe('Not seen yet');
  });

  it('tells an Admin what to do when the last Admin would be lost', () => {
    const member = { email: 'admin@wecare.digital', userId: 'u-1' };
    expect(changeErrorMessage(new ApiError(409, 'LAST_ADMIN', 'x'), member)).toBe(
      'admin@wecare.digital is the last enabled Admin of your organisation. Make someone else an Admin first, then try again.',
    );
    expect(changeErrorMessage(new ApiError(404, 'NOT_FOUND', 'x'), { userId: 'u-2' })).toBe('u-2 is no longer in your team. Reload the list.');
    expect(memberName({ userId: 'u-3' })).toBe('u-3');
  });
});
