// POST /api/messages/sms: a text of 1–1600 characters; the rate limit charges one token per
// segment. Answers 202 with the message, its segment count and encoding.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { messageSchema, type Message } from './message';
import { addSentMessage, refreshAfterSend } from './timeline-cache';

export interface SendSmsInput {
  contactId: string;
  text: string;
}

export function sendSms(api: ApiClient, input: SendSmsInput): Promise<Message> {
  return api.post('/messages/sms', input, messageSchema);
}

export function useSendSms(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => sendSms(api, { contactId, text }),
    onSuccess: (message) => addSentMessage(queryClient, message),
    onSettled: () => refreshAfterSend(queryClient, contactId),
  });
}
