// GET /api/settings (Admin): the deployment, the senders, the tier and the editable config.
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { settingsKeys, settingsSchema, type Settings } from './settings';

export function getSettings(api: ApiClient, signal?: AbortSignal): Promise<Settings> {
  return api.get('/settings', settingsSchema, { signal });
}

/** The settings; nothing is asked while `enabled` is false (a role that may not manage them). */
export function useSettings(enabled = true) {
  const api = useApiClient();
  return useQuery({ enabled, queryKey: settingsKeys.current(), queryFn: ({ signal }) => getSettings(api, signal) });
}
