// After a send: show the message at once, then ask the API for the truth (statuses, and a failed
// message the API recorded before it answered with an error).
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { conversationKeys, type Message, type TimelinePage } from './message';

export function addSentMessage(queryClient: QueryClient, message: Message): void {
  queryClient.setQueryData<InfiniteData<TimelinePage, string | null>>(
    conversationKeys.timeline(message.contactId),
    (data) => {
      const first = data?.pages[0];
      if (!data || !first || data.pages.some((p) => p.items.some((m) => m.messageId === message.messageId))) return data;
      return { ...data, pages: [{ ...first, items: [message, ...first.items] }, ...data.pages.slice(1)] };
    },
  );
}

/** The timeline (statuses, a failed message) and the contact (consent may have changed). */
export async function refreshAfterSend(queryClient: QueryClient, contactId: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: conversationKeys.timeline(contactId) }),
    queryClient.invalidateQueries({ queryKey: conversationKeys.contact(contactId) }),
  ]);
}
