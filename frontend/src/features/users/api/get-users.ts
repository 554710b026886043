// GET /api/users (Admin): the team, by email, a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { membersPageSchema, PAGE_SIZE, usersKeys, type MembersPage } from './member';

export function getUsers(api: ApiClient, cursor: string | null, signal?: AbortSignal): Promise<MembersPage> {
  return api.get('/users', membersPageSchema, { query: { limit: PAGE_SIZE, cursor }, signal });
}

/** The team's pages; nothing is asked while `enabled` is false (a role that may not manage it). */
export function useUsers(enabled = true) {
  const api = useApiClient();
  return useInfiniteQuery({
    enabled,
    queryKey: usersKeys.list(),
    queryFn: ({ pageParam, signal }) => getUsers(api, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
