// GET /api/contacts/{contactId}/messages: the conversation, newest first, a page at a time, with
// the contact's WhatsApp window. Polled while on screen, so statuses advance by themselves.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import {
  conversationKeys,
  TIMELINE_PAGE_SIZE,
  TIMELINE_REFRESH_MS,
  timelinePageSchema,
  type TimelinePage,
} from './message';

export function getTimeline(
  api: ApiClient,
  contactId: string,
  { cursor, limit = TIMELINE_PAGE_SIZE }: { cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<TimelinePage> {
  return api.get(`/contacts/${encodeURIComponent(contactId)}/messages`, timelinePageSchema, {
    query: { limit, cursor },
    signal,
  });
}

export function useTimeline(contactId: string) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: conversationKeys.timeline(contactId),
    queryFn: ({ pageParam, signal }) => getTimeline(api, contactId, { cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    // Pages go back in time: the "next" page is the older one.
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: TIMELINE_REFRESH_MS,
    staleTime: 0,
  });
}
