import { QueryClient } from '@tanstack/react-query';
import { cachedInboxRow, INBOX_CONVERSATIONS_KEY, inboxRowRead } from './inbox-cache';

describe('the inbox cache', () => {
  it('finds a contact’s row on any page, and clears its unread count', async () => {
    const queryClient = new QueryClient();
    const other = { contactId: 'c-bob', unreadCount: 4, lastMessage: { text: 'x' } };
    queryClient.setQueryData(INBOX_CONVERSATIONS_KEY, {
      pages: [{ items: [other], nextCursor: 'n' }, { items: [{ contactId: 'c-ada', unreadCount: 2, lastInboundAt: 't' }], nextCursor: null }],
      pageParams: [null, 'n'],
    });
    expect(cachedInboxRow(queryClient, 'c-ada')).toMatchObject({ unreadCount: 2 });
    expect(cachedInboxRow(queryClient, 'c-zed')).toBeUndefined();
    await inboxRowRead(queryClient, 'c-ada');
    expect(cachedInboxRow(queryClient, 'c-ada')).toMatchObject({ unreadCount: 0, lastInboundAt: 't' });
    expect(cachedInboxRow(queryClient, 'c-bob')).toBe(other);
    expect(queryClient.getQueryState(INBOX_CONVERSATIONS_KEY)?.isInvalidated).toBe(true);
  });

  it('does nothing when the inbox was never loaded', async () => {
    const queryClient = new QueryClient();
    expect(cachedInboxRow(queryClient, 'c-ada')).toBeUndefined();
    await inboxRowRead(queryClient, 'c-ada');
    expect(queryClient.getQueryData(INBOX_CONVERSATIONS_KEY)).toBeUndefined();
  });
});
