// POST /api/messages/email: a subject and a text and/or HTML body. Answers 202.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { messageSchema, type Message } from './message';
import { addSentMessage, refreshAfterSend } from './timeline-cache';

export interface SendEmailInput {
  contactId: string;
  subject: string;
  text?: string;
  html?: string;
}

export function sendEmail(api: ApiClient, input: SendEmailInput): Promise<Message> {
  return api.post('/messages/email', input, messageSchema);
}

export function useSendEmail(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<SendEmailInput, 'contactId'>) => sendEmail(api, { contactId, ...input }),
    onSuccess: (message) => addSentMessage(queryClient, message),
    onSettled: () => refreshAfterSend(queryClient, contactId),
  });
}
