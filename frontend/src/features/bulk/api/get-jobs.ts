// GET /api/bulk-jobs?status=&limit=&cursor=: the tenant's jobs, newest first, a page at a time.
// Refreshed every few seconds while a job on screen is still moving.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, jobPageSchema, PAGE_SIZE, type JobPage } from './bulk-job';
import { isSettling } from './job-status';

/** How often the list is refreshed while one of its jobs may still change. */
export const LIST_REFRESH_MS = 5_000;

export function getJobs(
  api: ApiClient,
  { status, cursor, limit = PAGE_SIZE }: { status?: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<JobPage> {
  return api.get('/bulk-jobs', jobPageSchema, { query: { status, limit, cursor }, signal });
}

/** The jobs, all or of one `status` ('' for all). */
export function useJobs(status: string) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: bulkKeys.list(status),
    queryFn: ({ pageParam, signal }) => getJobs(api, { status, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((job) => isSettling(job))) ? LIST_REFRESH_MS : false,
    // Changing the status filter keeps the previous rows until the new ones arrive.
    placeholderData: keepPreviousData,
  });
}
