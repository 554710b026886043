// GET /api/contacts/{contactId}: one contact (404 once deleted or in another tenant).
import { useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys, contactSchema, type Contact, type ContactPage } from './contact';

export function getContact(api: ApiClient, contactId: string, signal?: AbortSignal): Promise<Contact> {
  return api.get(`/contacts/${encodeURIComponent(contactId)}`, contactSchema, { signal });
}

export function useContact(contactId: string, { enabled = true }: { enabled?: boolean } = {}) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useQuery<Contact, Error, Contact, ReturnType<typeof contactKeys.detail>>({
    queryKey: contactKeys.detail(contactId),
    queryFn: ({ signal }) => getContact(api, contactId, signal),
    enabled,
    // Coming from the list, show the row's data at once while the fresh copy loads.
    placeholderData: (): Contact | undefined => {
      for (const [, data] of queryClient.getQueriesData<InfiniteData<ContactPage>>({ queryKey: contactKeys.lists() })) {
        const found = data?.pages.flatMap((page) => page.items).find((c) => c.contactId === contactId);
        if (found) return found;
      }
      return undefined;
    },
  });
}
