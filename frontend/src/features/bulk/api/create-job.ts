// POST /api/bulk-jobs (Idempotency-Key) → 202 {job}. The key is made once per run of the wizard, so
// a double click, or Start pressed again after no answer, creates one job. Refusals the wizard
// handles: 422 CONFIRMATION_REQUIRED (the eligible count is missing or changed: the message says
// the current one), 409/422 TIER_LIMIT_EXCEEDED (the message says how many fit), 400
// VALIDATION_FAILED (a field, or nobody eligible).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { ApiError } from '@/lib/api-error';
import { IDEMPOTENCY_KEY_HEADER } from '@/lib/idempotency';
import { bulkKeys, jobEnvelopeSchema, type Job, type JobRequest } from './bulk-job';

export interface CreateJobInput {
  request: JobRequest;
  /** The eligible count the operator typed (required above 20). */
  confirmedCount?: number;
  /** The preview the operator confirmed: the job is accepted from it, exactly as it was shown. */
  previewId?: string;
  idempotencyKey: string;
}

export async function createJob(api: ApiClient, { request, confirmedCount, previewId, idempotencyKey }: CreateJobInput): Promise<Job> {
  const body = {
    ...request,
    ...(confirmedCount === undefined ? {} : { confirmedCount }),
    ...(previewId ? { previewId } : {}),
  };
  const { job } = await api.post('/bulk-jobs', body, jobEnvelopeSchema, { headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } });
  return job;
}

/** The current eligible count a CONFIRMATION_REQUIRED refusal names ("120 recipients are eligible; …"). */
export function confirmationCountOf(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.code !== 'CONFIRMATION_REQUIRED') return null;
  const match = /(\d[\d,]*)\s+recipients?\s+(?:are|is)\s+eligible/i.exec(error.message) ?? /(\d[\d,]*)/.exec(error.message);
  if (!match?.[1]) return null;
  const n = Number(match[1].replace(/,/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

export function useCreateJob() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  // A second click can land before React re-renders the busy button, or after the job was created
  // but before the page moved on: the refs see both.
  const inFlight = useRef(false);
  const created = useRef(false);
  const mutation = useMutation({
    mutationFn: (input: CreateJobInput) => createJob(api, input),
    onSuccess: (job) => {
      created.current = true;
      queryClient.setQueryData(bulkKeys.detail(job.jobId), { job, series: [] });
      void queryClient.invalidateQueries({ queryKey: bulkKeys.lists() });
    },
    onSettled: () => {
      inFlight.current = false;
    },
  });
  const mutate: typeof mutation.mutate = (...args) => {
    if (inFlight.current || created.current) return;
    inFlight.current = true;
    mutation.mutate(...args);
  };
  return { ...mutation, mutate };
}
