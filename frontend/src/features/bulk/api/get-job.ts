// GET /api/bulk-jobs/{jobId}: the job, how fast it is sending, when it should end, and messages per
// second over time. Polled every second while the job runs, every two seconds while a finished job
// settles its last recipients and writes its report.
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, jobDetailSchema, type JobDetail } from './bulk-job';
import { isActive, isSettling } from './job-status';

export const JOB_REFRESH_MS = 1_000;
export const SETTLING_REFRESH_MS = 2_000;

/** How often to ask again for a job in this state, or false to stop. */
export function refreshInterval(detail: JobDetail | undefined, now = Date.now()): number | false {
  if (!detail) return false;
  if (isActive(detail.job.status)) return JOB_REFRESH_MS;
  return isSettling(detail.job, now) ? SETTLING_REFRESH_MS : false;
}

export function getJob(api: ApiClient, jobId: string, signal?: AbortSignal): Promise<JobDetail> {
  return api.get(`/bulk-jobs/${encodeURIComponent(jobId)}`, jobDetailSchema, { signal });
}

export function useJob(jobId: string) {
  const api = useApiClient();
  return useQuery({
    queryKey: bulkKeys.detail(jobId),
    queryFn: ({ signal }) => getJob(api, jobId, signal),
    refetchInterval: (query) => refreshInterval(query.state.data),
    staleTime: 0,
  });
}
