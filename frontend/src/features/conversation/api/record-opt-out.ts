// PATCH /api/contacts/{contactId} with one channel's opt-in set to false: the consent change the
// contact's page makes (its switch), re-declared here for the one field this feature sends, since
// features do not import each other. Used only after an operator confirmed that a message which
// reads like an opt-out request is one; never on its own. The API records who, when and how.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { contactsChanged } from '@/lib/contacts-cache';
import { conversationContactSchema, type ConversationContact } from './get-contact';
import { conversationKeys, type Channel } from './message';

const optInField = { whatsapp: 'optInWhatsApp', sms: 'optInSms', email: 'optInEmail' } as const satisfies Record<Channel, keyof ConversationContact>;

/** The PATCH body: only the channel's opt-in, set to false. */
export type OptOutRequest = Partial<Record<(typeof optInField)[Channel], false>>;

export function optOutRequest(channel: Channel): OptOutRequest {
  return { [optInField[channel]]: false };
}

export function recordOptOut(api: ApiClient, contactId: string, channel: Channel): Promise<ConversationContact> {
  return api.patch(`/contacts/${encodeURIComponent(contactId)}`, optOutRequest(channel), conversationContactSchema);
}

export function useRecordOptOut(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (channel: Channel) => recordOptOut(api, contactId, channel),
    onSuccess: async (contact) => {
      // The composer locks the channel at once.
      queryClient.setQueryData(conversationKeys.contact(contactId), contact);
      // The contacts pages would show the old consent for up to 30 s: they are read again.
      await contactsChanged(queryClient);
    },
  });
}
