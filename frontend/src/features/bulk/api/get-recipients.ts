// GET /api/bulk-jobs/{jobId}/recipients?status=: the recipients of a job in one state (the failed
// ones first of all), a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, PAGE_SIZE, recipientPageSchema, type RecipientPage } from './bulk-job';

export function getRecipients(
  api: ApiClient,
  jobId: string,
  { status, cursor, limit = PAGE_SIZE }: { status: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<RecipientPage> {
  return api.get(`/bulk-jobs/${encodeURIComponent(jobId)}/recipients`, recipientPageSchema, {
    query: { status, limit, cursor },
    signal,
  });
}

/** How often the recipients are refreshed while the job is still moving. */
export const RECIPIENTS_REFRESH_MS = 3_000;

/**
 * The recipients in `status`: refreshed every few seconds while the job is `live`, and once more
 * when it stops (the key changes), so the last failures show without a reload.
 */
export function useRecipients(jobId: string, status: string, { live }: { live: boolean }) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: [...bulkKeys.recipients(jobId, status), live ? 'live' : 'settled'],
    queryFn: ({ pageParam, signal }) => getRecipients(api, jobId, { status, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: live ? RECIPIENTS_REFRESH_MS : false,
    staleTime: live ? 0 : 30_000,
  });
}
