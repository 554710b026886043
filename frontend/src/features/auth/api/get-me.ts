// GET /api/me: who the token belongs to, their role and permissions, and the deployment they are
// signed in to (whether it sends or only records: the app shell's dry-run banner).
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { deploymentSchema } from '@/lib/deployment';

export const meSchema = z.object({
  userId: z.string().check(z.minLength(1)),
  email: z.string(),
  role: z.enum(['Viewer', 'Operator', 'Admin']),
  tenantId: z.string().check(z.minLength(1)),
  permissions: z.array(z.string()),
  /** Absent from an API that predates it: then nothing says it is a dry run. */
  deployment: z.optional(deploymentSchema),
});

export type Me = z.infer<typeof meSchema>;

export const meQueryKey = ['me'] as const;

export function getMe(api: ApiClient, signal?: AbortSignal): Promise<Me> {
  return api.get('/me', meSchema, { signal });
}

export function useMe() {
  const api = useApiClient();
  return useQuery({ queryKey: meQueryKey, queryFn: ({ signal }) => getMe(api, signal), staleTime: 5 * 60_000 });
}
