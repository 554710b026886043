// GET /api/contacts/{contactId}: who the conversation is with, which addresses they have (the
// composer's channels) and what they opted in to. Refreshed now and then, since consent can
// change from the contact's page or by a STOP/START reply.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { conversationKeys } from './message';

export const conversationContactSchema = z.object({
  contactId: z.string(),
  name: z.optional(z.string()),
  phone: z.optional(z.string()),
  email: z.optional(z.string()),
  /** WhatsApp's business-scoped user id: the address of someone who writes without a visible number. */
  whatsappUserId: z.optional(z.string()),
  optInWhatsApp: z.boolean(),
  optInSms: z.boolean(),
  optInEmail: z.boolean(),
  lastInboundMessageAt: z.optional(z.string()),
});

export type ConversationContact = z.infer<typeof conversationContactSchema>;

export const CONTACT_REFRESH_MS = 15_000;

export function getConversationContact(api: ApiClient, contactId: string, signal?: AbortSignal): Promise<ConversationContact> {
  return api.get(`/contacts/${encodeURIComponent(contactId)}`, conversationContactSchema, { signal });
}

export function useConversationContact(contactId: string) {
  const api = useApiClient();
  return useQuery({
    queryKey: conversationKeys.contact(contactId),
    queryFn: ({ signal }) => getConversationContact(api, contactId, signal),
    staleTime: 0,
    refetchInterval: CONTACT_REFRESH_MS,
  });
}
