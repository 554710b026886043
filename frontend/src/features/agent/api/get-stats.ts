// GET /api/ai/stats?days= (Admin; 1–90 days): per day, questions asked and drafts made, approved,
// edited and rejected, and thumbs up and down; with the totals and the approval and edit rates.
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { agentKeys, statsSchema, type Stats } from './interaction';

export function getStats(api: ApiClient, days: number, signal?: AbortSignal): Promise<Stats> {
  return api.get('/ai/stats', statsSchema, { query: { days }, signal });
}

export function useAiStats(days: number, enabled = true) {
  const api = useApiClient();
  return useQuery({ enabled, queryKey: agentKeys.stats(days), queryFn: ({ signal }) => getStats(api, days, signal) });
}
