// GET /api/ai/suggestions?contactId= (every role): the contact's reply drafts, newest first, a page
// at a time. Polled every 5 s while the page is open and the tab visible, so a draft automation
// wrote for a new message shows up by itself.
import { useInfiniteQuery } from '@tanstack/react-query';
import { usePageVisible } from '@/hooks/use-page-visible';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { conversationKeys } from './message';
import { SUGGESTIONS_PAGE_SIZE, SUGGESTIONS_REFRESH_MS, suggestionPageSchema, type SuggestionPage } from './suggestion';

export function getSuggestions(
  api: ApiClient,
  contactId: string,
  { cursor, limit = SUGGESTIONS_PAGE_SIZE }: { cursor?: string | null; limit?: number } = {},
  signal?: AbortSignal,
): Promise<SuggestionPage> {
  return api.get('/ai/suggestions', suggestionPageSchema, { query: { contactId, limit, cursor }, signal });
}

/** The drafts; nothing is asked while `enabled` is false (a role that does not use them). */
export function useSuggestions(contactId: string, enabled = true) {
  const api = useApiClient();
  const visible = usePageVisible();
  return useInfiniteQuery({
    enabled,
    queryKey: conversationKeys.suggestions(contactId),
    queryFn: ({ pageParam, signal }) => getSuggestions(api, contactId, { cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: visible ? SUGGESTIONS_REFRESH_MS : false,
    staleTime: 0,
  });
}
