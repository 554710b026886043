// DELETE /api/contacts/{contactId}: a soft delete; the contact disappears from lists and search.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys } from './contact';

export function deleteContact(api: ApiClient, contactId: string): Promise<void> {
  return api.delete(`/contacts/${encodeURIComponent(contactId)}`);
}

export function useDeleteContact() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (contactId: string) => deleteContact(api, contactId),
    onSuccess: async (_, contactId) => {
      queryClient.removeQueries({ queryKey: contactKeys.detail(contactId), exact: true });
      await queryClient.invalidateQueries({ queryKey: contactKeys.lists() });
    },
  });
}
