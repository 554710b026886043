// POST /api/bulk-jobs/preview: who a job would reach, without creating anything — how many are
// eligible, who is left out and why (up to 50 per reason, addresses masked), unusable CSV rows by
// line, how long it would take, SMS segments, the WhatsApp tier, and three rendered samples — and
// the `previewId` to start the job from: for 15 minutes the job is then exactly what was shown.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, type JobRequest } from './bulk-job';

export const excludedContactSchema = z.object({
  contactId: z.nullish(z.string()),
  name: z.nullish(z.string()),
  /** Masked. */
  address: z.nullish(z.string()),
  /** The CSV line it came from. */
  line: z.nullish(z.number()),
});

export type ExcludedContact = z.infer<typeof excludedContactSchema>;

export const previewSchema = z.object({
  total: z.number(),
  eligible: z.number(),
  /** Every reason, with 0 for those that left nobody out. */
  excluded: z._default(z.record(z.string(), z.number()), {}),
  excludedContacts: z._default(z.record(z.string(), z.array(excludedContactSchema)), {}),
  invalidRows: z._default(z.array(z.object({ line: z.number(), problem: z.string() })), []),
  /** SMS only: segments over all eligible recipients. */
  segments: z.nullish(z.number()),
  ratePerSecond: z.number(),
  estimatedSeconds: z.number(),
  /** WhatsApp only: business-initiated conversations in 24 hours. */
  tier: z.nullish(z.object({ limit: z.number(), used: z.number(), afterJob: z.number() })),
  samples: z._default(
    z.array(z.object({ contactId: z.nullish(z.string()), name: z.nullish(z.string()), to: z.string(), rendered: z.string() })),
    [],
  ),
  /** The plan kept for the create that confirms it (absent when nobody is eligible). */
  previewId: z.nullish(z.string()),
  previewExpiresAt: z.nullish(z.string()),
});

export type Preview = z.infer<typeof previewSchema>;

export function previewJob(api: ApiClient, request: JobRequest, signal?: AbortSignal): Promise<Preview> {
  return api.request('POST', '/bulk-jobs/preview', previewSchema, { body: request, signal });
}

/**
 * The preview of `request`, asked again every time the preview step is shown (the contacts may have
 * changed since), never retried on a refusal.
 */
export function usePreview(request: JobRequest | null) {
  const api = useApiClient();
  return useQuery({
    queryKey: request ? bulkKeys.preview(request) : [...bulkKeys.all, 'preview', 'none'],
    queryFn: ({ signal }) => {
      if (!request) throw new Error('no request to preview');
      return previewJob(api, request, signal);
    },
    enabled: request !== null,
    staleTime: 0,
    gcTime: 60_000,
  });
}
