// POST /api/contacts: a new contact (phone or email required; 409 when either is taken).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactKeys, contactSchema, type Contact } from './contact';

export interface CreateContactInput {
  name?: string;
  phone?: string;
  email?: string;
  optInWhatsApp?: boolean;
  optInSms?: boolean;
  optInEmail?: boolean;
}

export function createContact(api: ApiClient, input: CreateContactInput): Promise<Contact> {
  return api.post('/contacts', input, contactSchema);
}

export function useCreateContact() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateContactInput) => createContact(api, input),
    onSuccess: async (contact) => {
      queryClient.setQueryData(contactKeys.detail(contact.contactId), contact);
      await queryClient.invalidateQueries({ queryKey: contactKeys.lists() });
    },
  });
}
