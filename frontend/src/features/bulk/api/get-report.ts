// GET /api/bulk-jobs/{jobId}/report → {url, expiresAt}: a short-lived link to the job's CSV report,
// once it has finished (409 CONFLICT before). Asked for again shortly before the link expires.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys } from './bulk-job';

export const reportSchema = z.object({ url: z.string().check(z.minLength(1)), expiresAt: z.string() });

export type Report = z.infer<typeof reportSchema>;

export function getReport(api: ApiClient, jobId: string, signal?: AbortSignal): Promise<Report> {
  return api.get(`/bulk-jobs/${encodeURIComponent(jobId)}/report`, reportSchema, { signal });
}

/** How long before its expiry a report link is replaced, and the least time between two asks. */
const RENEW_BEFORE_MS = 30_000;
const MIN_RENEW_MS = 10_000;

/** Milliseconds until the link should be asked for again. */
export function renewIn(expiresAt: string, now = Date.now()): number {
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return 5 * 60_000;
  return Math.max(MIN_RENEW_MS, at - now - RENEW_BEFORE_MS);
}

export function useReport(jobId: string, { enabled }: { enabled: boolean }) {
  const api = useApiClient();
  return useQuery({
    queryKey: bulkKeys.report(jobId),
    queryFn: ({ signal }) => getReport(api, jobId, signal),
    enabled,
    staleTime: (query) => (query.state.data ? renewIn(query.state.data.expiresAt) : 0),
    refetchInterval: (query) => (query.state.data ? renewIn(query.state.data.expiresAt) : false),
  });
}
