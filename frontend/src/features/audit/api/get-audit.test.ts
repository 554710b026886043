import { NO_FILTERS } from './audit-entry';
import { dayBoundary, searchQuery } from './get-audit';

describe('searchQuery', () => {
  it('leaves blank filters out and sends a day as the instants it spans where the reader is', () => {
    expect(searchQuery(NO_FILTERS)).toEqual({
      actor: undefined,
      action: undefined,
      resourceType: undefined,
      resourceId: undefined,
      outcome: undefined,
      from: undefined,
      to: undefined,
    });
    const q = searchQuery({ ...NO_FILTERS, actor: ' ops@example.com ', action: 'contact.*', from: '2026-12-01', to: '2026-12-03' });
    expect(q.actor).toBe('ops@example.com');
    expect(q.action).toBe('contact.*');
    expect(q.from).toBe(new Date(2026, 11, 1, 0, 0, 0, 0).toISOString());
    expect(q.to).toBe(new Date(2026, 11, 3, 23, 59, 59, 999).toISOString());
  });

  it('sends a resource only with both its type and its id', () => {
    expect(searchQuery({ ...NO_FILTERS, resourceType: 'contact' }).resourceType).toBeUndefined();
    expect(searchQuery({ ...NO_FILTERS, resourceId: 'c-1' }).resourceId).toBeUndefined();
    expect(searchQuery({ ...NO_FILTERS, resourceType: 'contact', resourceId: ' c-1 ' })).toMatchObject({ resourceType: 'contact', resourceId: 'c-1' });
  });

  it('ignores what is not a day', () => {
    expect(dayBoundary('yesterday', false)).toBeUndefined();
    expect(dayBoundary('2026-02-30', true)).toBeUndefined();
    expect(dayBoundary('2026-13-01', false)).toBeUndefined();
    expect(dayBoundary('', true)).toBeUndefined();
  });
});
