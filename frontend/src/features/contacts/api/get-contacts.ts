// GET /api/contacts: the tenant's contacts, newest first, a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys, contactPageSchema, PAGE_SIZE, type ContactPage } from './contact';

export function getContacts(
  api: ApiClient,
  { cursor, limit = PAGE_SIZE }: { cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<ContactPage> {
  return api.get('/contacts', contactPageSchema, { query: { limit, cursor }, signal });
}

export function useContacts({ enabled = true }: { enabled?: boolean } = {}) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: contactKeys.list(),
    queryFn: ({ pageParam, signal }) => getContacts(api, { cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}
