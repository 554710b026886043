// Marks the open conversation read: when it is opened, and whenever a new inbound message shows
// up while it is on screen (the tab visible). Only when something suggests an unread message —
// the inbox's cached row counts some, or the newest inbound message of the timeline is one the
// inbox did not know of and this page has not marked yet — so the 3-second poll does not write.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { usePageVisible } from '@/hooks/use-page-visible';
import { cachedInboxRow, type InboxRowState } from '@/lib/inbox-cache';
import { useMarkConversationRead } from '../api/mark-read';
import type { Message } from '../api/message';

type Inbound = Pick<Message, 'messageId' | 'createdAt'>;

/** The newest message the contact sent, of a timeline that is oldest first. */
export function newestInbound(messages: readonly Message[]): Inbound | undefined {
  return messages.findLast((m) => m.direction === 'inbound');
}

/**
 * Whether to call the read endpoint now.
 * - `row`: the contact's inbox row as cached (undefined when the inbox has not shown it);
 * - `acknowledged`: the newest inbound message this page already marked read.
 */
export function needsMarkRead({
  newest,
  row,
  acknowledged,
}: {
  newest: Inbound | undefined;
  row: InboxRowState | undefined;
  acknowledged: string | undefined;
}): boolean {
  if (row && row.unreadCount > 0) return true;
  if (!newest || newest.messageId === acknowledged) return false;
  // Nothing known of this conversation: the newest inbound message may be unread.
  if (!row) return true;
  // The row says all is read; only a message newer than the row's last inbound one can be unread.
  const rowInboundAt = Date.parse(row.lastInboundAt ?? '');
  return Number.isNaN(rowInboundAt) || Date.parse(newest.createdAt) > rowInboundAt;
}

/** `messages`: the loaded timeline, oldest first; undefined while it loads. */
export function useMarkReadWhileOpen(contactId: string, messages: readonly Message[] | undefined): void {
  const visible = usePageVisible();
  const queryClient = useQueryClient();
  const { mutate } = useMarkConversationRead(contactId);
  const acknowledged = useRef<{ contactId: string; messageId: string | undefined } | null>(null);
  const loaded = messages !== undefined;
  const newest = messages ? newestInbound(messages) : undefined;
  const newestId = newest?.messageId;
  const newestAt = newest?.createdAt;

  useEffect(() => {
    if (!visible || !loaded) return;
    const done = acknowledged.current?.contactId === contactId ? acknowledged.current.messageId : undefined;
    const inbound = newestId !== undefined && newestAt !== undefined ? { messageId: newestId, createdAt: newestAt } : undefined;
    if (!needsMarkRead({ newest: inbound, row: cachedInboxRow(queryClient, contactId), acknowledged: done })) return;
    // Recorded before the answer, so a failing call is not repeated on every poll; the next
    // inbound message (or the tab coming back) tries again.
    acknowledged.current = { contactId, messageId: newestId };
    mutate();
  }, [visible, loaded, contactId, newestId, newestAt, queryClient, mutate]);
}
