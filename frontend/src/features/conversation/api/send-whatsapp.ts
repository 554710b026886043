// POST /api/messages/whatsapp: free-form text inside the 24-hour window, an approved template
// at any time (`TEMPLATE_REQUIRED` when text is sent outside the window). Answers 202.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { messageSchema, type Message } from './message';
import { addSentMessage, refreshAfterSend } from './timeline-cache';

export interface WhatsAppTemplate {
  name: string;
  /** e.g. `en_US`. */
  language: string;
  /** The values of {{1}}, {{2}}, … in order. */
  parameters: string[];
}

export type SendWhatsAppInput = { contactId: string; text: string } | { contactId: string; template: WhatsAppTemplate };

export function sendWhatsApp(api: ApiClient, input: SendWhatsAppInput): Promise<Message> {
  return api.post('/messages/whatsapp', input, messageSchema);
}

export function useSendWhatsApp(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { text: string } | { template: WhatsAppTemplate }) =>
      sendWhatsApp(api, { contactId, ...input }),
    onSuccess: (message) => addSentMessage(queryClient, message),
    onSettled: () => refreshAfterSend(queryClient, contactId),
  });
}
