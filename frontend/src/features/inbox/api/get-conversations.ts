// GET /api/conversations: one row per contact, latest activity first, polled while on screen.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { conversationPageSchema, inboxKeys, PAGE_SIZE, REFRESH_MS, type ConversationPage } from './conversation';

export function getConversations(
  api: ApiClient,
  { cursor, limit = PAGE_SIZE }: { cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<ConversationPage> {
  return api.get('/conversations', conversationPageSchema, { query: { limit, cursor }, signal });
}

export function useConversations() {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: inboxKeys.conversations(),
    queryFn: ({ pageParam, signal }) => getConversations(api, { cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: REFRESH_MS,
    staleTime: 0,
  });
}
