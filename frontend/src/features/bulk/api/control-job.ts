// POST /api/bulk-jobs/{jobId}/pause | resume | cancel → {job}; 409 CONFLICT when the job is no
// longer in a state that allows it ("a COMPLETED job cannot be paused").
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, jobEnvelopeSchema, type Job, type JobDetail } from './bulk-job';
import type { Control } from './job-status';

export async function controlJob(api: ApiClient, jobId: string, control: Control): Promise<Job> {
  const { job } = await api.post(`/bulk-jobs/${encodeURIComponent(jobId)}/${control}`, {}, jobEnvelopeSchema);
  return job;
}

export function useControlJob(jobId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (control: Control) => controlJob(api, jobId, control),
    onSuccess: (job) => {
      queryClient.setQueryData<JobDetail>(bulkKeys.detail(jobId), (detail) => (detail ? { ...detail, job } : detail));
    },
    // Whatever happened (a refusal means the job moved on), show where it stands now.
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: bulkKeys.detail(jobId) }),
        queryClient.invalidateQueries({ queryKey: bulkKeys.lists() }),
      ]);
    },
  });
}
