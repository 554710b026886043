// PATCH /api/contacts/{contactId}: absent fields stay, `null` clears name/phone/email.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys, contactSchema, type Contact } from './contact';

export interface UpdateContactInput {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  optInWhatsApp?: boolean;
  optInSms?: boolean;
  optInEmail?: boolean;
}

export function updateContact(api: ApiClient, contactId: string, input: UpdateContactInput): Promise<Contact> {
  return api.patch(`/contacts/${encodeURIComponent(contactId)}`, input, contactSchema);
}

export function useUpdateContact(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateContactInput) => updateContact(api, contactId, input),
    onSuccess: async (contact) => {
      queryClient.setQueryData(contactKeys.detail(contactId), contact);
      await queryClient.invalidateQueries({ queryKey: contactKeys.lists() });
    },
  });
}
