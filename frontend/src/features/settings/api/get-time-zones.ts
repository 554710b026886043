// GET /api/settings/time-zones (Admin): the IANA names the API accepts for quiet hours, for the
// picker. The list changes with the server's time-zone database, not during a visit.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { settingsKeys } from './settings';

const timeZonesSchema = z.object({ items: z.array(z.string().check(z.minLength(1))) });

export async function getTimeZones(api: ApiClient, signal?: AbortSignal): Promise<string[]> {
  const { items } = await api.get('/settings/time-zones', timeZonesSchema, { signal });
  return items;
}

export function useTimeZones(enabled = true) {
  const api = useApiClient();
  return useQuery({
    enabled,
    queryKey: settingsKeys.timeZones(),
    queryFn: ({ signal }) => getTimeZones(api, signal),
    staleTime: Infinity,
  });
}
