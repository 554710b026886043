import { NO_FILTERS } from '../api/audit-entry';
import { actionLabel, actorLabel, changeRows, describeFilters, formatValue, outcomeView, resourceLabel, resourceLink } from './audit-text';

describe('audit text', () => {
  it('says actions in words, and an unknown one as it is', () => {
    expect(actionLabel('user.role_change')).toBe('Changed a role');
    expect(actionLabel('consent.opt_out')).toBe('Opted out by keyword');
    expect(actionLabel('ai.suggestion.approve')).toBe('ai.suggestion.approve');
  });

  it('names who did it: their email, the platform itself, or their id', () => {
    expect(actorLabel({ actorId: 'u-1', actorEmail: 'ops@example.com' })).toBe('ops@example.com');
    expect(actorLabel({ actorId: 'system' })).toBe('The platform');
    expect(actorLabel({ actorId: 'u-2' })).toBe('u-2');
  });

  it('names and links what was touched', () => {
    expect(resourceLabel({ resourceType: 'contact', resourceId: 'c-1' })).toBe('Contact c-1');
    expect(resourceLabel({ resourceType: 'audit', resourceId: '*' })).toBe('Audit log');
    expect(resourceLabel({ resourceType: 'user', resourceId: 'u-1', after: { email: 'ravi@example.com', role: 'Viewer' } })).toBe('User ravi@example.com');
    expect(resourceLabel({ resourceType: 'user', resourceId: 'u-1', after: { reason: 'disabled' } })).toBe('User u-1');
    expect(resourceLink({ resourceType: 'contact', resourceId: 'c 1' })).toBe('/contacts/c%201');
    expect(resourceLink({ resourceType: 'bulk-job', resourceId: 'j-1' })).toBe('/bulk/j-1');
    expect(resourceLink({ resourceType: 'user', resourceId: 'u-1' })).toBeNull();
    expect(resourceLink({ resourceType: 'contact', resourceId: '*' })).toBeNull();
  });

  it('shows outcomes, including a bulk job’s final status', () => {
    expect(outcomeView('denied')).toEqual({ label: 'Denied', tone: 'danger' });
    expect(outcomeView('COMPLETED_WITH_FAILURES')).toEqual({ label: 'Completed with failures', tone: 'neutral' });
  });

  it('lines up before and after field by field, marking what changed', () => {
    expect(changeRows({ role: 'Operator', status: 'ENABLED' }, { role: 'Viewer', status: 'ENABLED', email: 'a@example.com' })).toEqual([
      { field: 'role', before: 'Operator', after: 'Viewer', changed: true },
      { field: 'status', before: 'ENABLED', after: 'ENABLED', changed: false },
      { field: 'email', before: '—', after: 'a@example.com', changed: true },
    ]);
    expect(changeRows(undefined, { optInSms: true })).toEqual([{ field: 'optInSms', before: '—', after: 'Yes', changed: true }]);
    expect(changeRows(undefined, undefined)).toEqual([]);
    expect(formatValue({ total: 3 })).toBe('{"total":3}');
    expect(formatValue('')).toBe('(empty)');
  });

  it('describes a search in a phrase', () => {
    expect(describeFilters(NO_FILTERS)).toBe('');
    expect(describeFilters({ ...NO_FILTERS, actor: 'ops@example.com', action: 'user.*', outcome: 'denied', from: '2026-12-01' })).toBe(
      'by ops@example.com, users and roles, denied, from 2026-12-01',
    );
    expect(describeFilters({ ...NO_FILTERS, resourceType: 'contact', resourceId: 'C-1' })).toBe('on contact C-1');
  });
});
