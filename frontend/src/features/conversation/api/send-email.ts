// POST /api/messages/email: a subject and a text and/or HTML body, from one of the organisation's
// email senders (`from`; omitted = its default). Answers 202.
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { messageSchema, type Message } from './message';
import { sendHeaders, useSend, type SendOptions } from './send';

export interface SendEmailInput {
  contactId: string;
  subject: string;
  text?: string;
  html?: string;
  /** A `senderId` of GET /api/senders. */
  from?: string;
}

export function sendEmail(api: ApiClient, input: SendEmailInput, options: SendOptions): Promise<Message> {
  return api.post('/messages/email', input, messageSchema, { headers: sendHeaders(options) });
}

export function useSendEmail(contactId: string) {
  const api = useApiClient();
  return useSend(contactId, (input: Omit<SendEmailInput, 'contactId'>, keyFor) => {
    const body: SendEmailInput = { contactId, ...input };
    return sendEmail(api, body, { idempotencyKey: keyFor(body) });
  });
}
