// GET /api/contacts/{contactId}, for the name and address an inbox row shows (the row itself
// carries only the contact's id). Names rarely change, so one fetch per contact is kept a while.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { inboxKeys } from './conversation';

export const inboxContactSchema = z.object({
  contactId: z.string(),
  name: z.optional(z.string()),
  phone: z.optional(z.string()),
  email: z.optional(z.string()),
  whatsappUserId: z.optional(z.string()),
});

export type InboxContact = z.infer<typeof inboxContactSchema>;

export function getInboxContact(api: ApiClient, contactId: string, signal?: AbortSignal): Promise<InboxContact> {
  return api.get(`/contacts/${encodeURIComponent(contactId)}`, inboxContactSchema, { signal });
}

export function useInboxContact(contactId: string) {
  const api = useApiClient();
  return useQuery({
    queryKey: inboxKeys.contact(contactId),
    queryFn: ({ signal }) => getInboxContact(api, contactId, signal),
    staleTime: 5 * 60_000,
  });
}
