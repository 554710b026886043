// The contacts a job can be sent to, for the wizard's picker: GET /api/contacts (newest first) or
// GET /api/contacts/search?q= (prefix match on name words, email and phone digits), a page at a time.
// Only what the picker shows is read; the contacts feature owns the full resource.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { bulkKeys, PAGE_SIZE } from './bulk-job';

export const pickableContactSchema = z.object({
  contactId: z.string().check(z.minLength(1)),
  name: z.nullish(z.string()),
  phone: z.nullish(z.string()),
  email: z.nullish(z.string()),
  optInWhatsApp: z._default(z.boolean(), false),
  optInSms: z._default(z.boolean(), false),
  optInEmail: z._default(z.boolean(), false),
  createdAt: z.string(),
});

export type PickableContact = z.infer<typeof pickableContactSchema>;

const pageSchema = z.object({ items: z.array(pickableContactSchema), nextCursor: z.nullable(z.string()) });

export type PickableContactPage = z.infer<typeof pageSchema>;

export function getPickableContacts(
  api: ApiClient,
  { q, cursor, limit = PAGE_SIZE }: { q: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<PickableContactPage> {
  return q
    ? api.get('/contacts/search', pageSchema, { query: { q, limit, cursor }, signal })
    : api.get('/contacts', pageSchema, { query: { limit, cursor }, signal });
}

/** The newest contacts, or those matching `q` (already debounced and trimmed). */
export function usePickableContacts(q: string) {
  const api = useApiClient();
  return useInfiniteQuery({
    queryKey: bulkKeys.contacts(q),
    queryFn: ({ pageParam, signal }) => getPickableContacts(api, { q, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}
