// POST /api/messages/sms: a text of 1–1600 characters, from one of the organisation's SMS senders
// (`from`; omitted = its default). The rate limit charges one token per segment. Answers 202 with
// the message, its segment count and encoding.
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { messageSchema, type Message } from './message';
import { sendHeaders, useSend, type SendOptions } from './send';

export interface SendSmsInput {
  contactId: string;
  text: string;
  /** A `senderId` of GET /api/senders. */
  from?: string;
}

export function sendSms(api: ApiClient, input: SendSmsInput, options: SendOptions): Promise<Message> {
  return api.post('/messages/sms', input, messageSchema, { headers: sendHeaders(options) });
}

export function useSendSms(contactId: string) {
  const api = useApiClient();
  return useSend(contactId, (input: Omit<SendSmsInput, 'contactId'>, keyFor) => {
    const body: SendSmsInput = { contactId, ...input };
    return sendSms(api, body, { idempotencyKey: keyFor(body) });
  });
}
