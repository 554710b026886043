// The one thing the inbox and conversation features share: the inbox's cached rows. The inbox
// owns the query (GET /api/conversations, kept under this key); an open conversation reads its
// contact's row (is anything unread?) and, once it has marked the conversation read, clears the
// row's badge at once and has the inbox asked again. Features do not import each other, so the
// key and the few fields both rely on live here.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';

export const INBOX_CONVERSATIONS_KEY = ['inbox', 'conversations'] as const;

/** The part of an inbox row the conversation page relies on. */
export interface InboxRowState {
  contactId: string;
  unreadCount: number;
  lastInboundAt?: string | null | undefined;
}

type InboxPages = InfiniteData<{ items: InboxRowState[] }>;

/** The contact's row as the inbox last loaded it; undefined when the inbox has not (yet) shown it. */
export function cachedInboxRow(queryClient: QueryClient, contactId: string): InboxRowState | undefined {
  const data = queryClient.getQueryData<InboxPages>(INBOX_CONVERSATIONS_KEY);
  for (const page of data?.pages ?? []) {
    const row = page.items.find((r) => r.contactId === contactId);
    if (row) return row;
  }
  return undefined;
}

/** After POST …/read: the row shows no unread count now, and the inbox refetches when next shown. */
export async function inboxRowRead(queryClient: QueryClient, contactId: string): Promise<void> {
  queryClient.setQueryData<InboxPages>(INBOX_CONVERSATIONS_KEY, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((row) => (row.contactId === contactId && row.unreadCount !== 0 ? { ...row, unreadCount: 0 } : row)),
          })),
        }
      : data,
  );
  await queryClient.invalidateQueries({ queryKey: INBOX_CONVERSATIONS_KEY });
}
