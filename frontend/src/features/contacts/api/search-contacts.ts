// GET /api/contacts/search?q=: prefix match on name words, email and phone digits.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys, contactPageSchema, PAGE_SIZE, type ContactPage } from './contact';

export function searchContacts(
  api: ApiClient,
  { q, cursor, limit = PAGE_SIZE }: { q: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<ContactPage> {
  return api.get('/contacts/search', contactPageSchema, { query: { q, limit, cursor }, signal });
}

/** Searches for `q` (already debounced and trimmed); idle while `q` is empty. */
export function useSearchContacts(q: string) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: contactKeys.search(q),
    queryFn: ({ pageParam, signal }) => searchContacts(api, { q, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: q.length > 0,
    // Keep showing the previous results while the next ones load: no flash, no layout shift.
    placeholderData: keepPreviousData,
  });
}
