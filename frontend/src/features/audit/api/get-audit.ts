// GET /api/audit (Admin): the tenant's audit trail, newest first, a page at a time, filtered by
// actor, action, resource, outcome and days. A page over a long quiet stretch may come back short
// or even empty with a cursor (the API reads a bounded number of days per page): "Load more" goes on.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient, Query } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { auditKeys, auditPageSchema, PAGE_SIZE, type AuditFilters, type AuditPage } from './audit-entry';

/** `yyyy-mm-dd` as the start (or the last millisecond) of that day where the reader is, in ISO-8601 UTC. */
export function dayBoundary(day: string, end: boolean): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const at = end ? new Date(year, month, date, 23, 59, 59, 999) : new Date(year, month, date, 0, 0, 0, 0);
  // 2026-02-30 would roll over into March: not a day of the calendar.
  if (at.getFullYear() !== year || at.getMonth() !== month || at.getDate() !== date) return undefined;
  return at.toISOString();
}

/** The query parameters of a search: blank filters left out, days as the instants they span. */
export function searchQuery(filters: AuditFilters): Query {
  const text = (value: string) => value.trim() || undefined;
  const both = text(filters.resourceType) && text(filters.resourceId);
  return {
    actor: text(filters.actor),
    action: text(filters.action),
    resourceType: both ? text(filters.resourceType) : undefined,
    resourceId: both ? text(filters.resourceId) : undefined,
    outcome: text(filters.outcome),
    from: dayBoundary(filters.from, false),
    to: dayBoundary(filters.to, true),
  };
}

export function getAudit(api: ApiClient, filters: AuditFilters, cursor: string | null, signal?: AbortSignal): Promise<AuditPage> {
  return api.get('/audit', auditPageSchema, { query: { ...searchQuery(filters), limit: PAGE_SIZE, cursor }, signal });
}

/** The search's pages; nothing is asked while `enabled` is false (a role that may not search). */
export function useAuditSearch(filters: AuditFilters, enabled = true) {
  const api = useApiClient();
  return useInfiniteQuery({
    enabled,
    queryKey: auditKeys.search(filters),
    queryFn: ({ pageParam, signal }) => getAudit(api, filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // A new search keeps the previous rows on screen until its own arrive.
    placeholderData: keepPreviousData,
  });
}
