// GET /api/ai/interactions?kind= (Admin): the organisation's AI interactions, newest first, a page
// at a time; `kind` keeps only questions or only drafts.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { agentKeys, INTERACTIONS_PAGE_SIZE, interactionPageSchema, type InteractionKind, type InteractionPage } from './interaction';

export function getInteractions(
  api: ApiClient,
  { kind, cursor }: { kind: InteractionKind | null; cursor: string | null },
  signal?: AbortSignal,
): Promise<InteractionPage> {
  return api.get('/ai/interactions', interactionPageSchema, { query: { kind, limit: INTERACTIONS_PAGE_SIZE, cursor }, signal });
}

/** Nothing is asked while `enabled` is false (a role that may not review). */
export function useInteractions(kind: InteractionKind | null, enabled = true) {
  const api = useApiClient();
  return useInfiniteQuery({
    enabled,
    queryKey: agentKeys.interactions(kind),
    queryFn: ({ pageParam, signal }) => getInteractions(api, { kind, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Another filter keeps the rows on screen until its own arrive.
    placeholderData: keepPreviousData,
  });
}
