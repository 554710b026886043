import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { CONTACTS_KEY, contactsChanged } from './contacts-cache';

describe('contacts cache', () => {
  it('marks every contacts list and contact page stale, and nothing else', async () => {
    const queryClient = new QueryClient();
    const list = [...CONTACTS_KEY, 'list', 'newest'];
    const detail = [...CONTACTS_KEY, 'detail', 'c1'];
    const inbox = ['inbox', 'conversations'];
    queryClient.setQueryData(list, { pages: [] });
    queryClient.setQueryData(detail, { contactId: 'c1' });
    queryClient.setQueryData(inbox, { pages: [] });
    await contactsChanged(queryClient);
    expect(queryClient.getQueryState(list)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(detail)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(inbox)?.isInvalidated).toBe(false);
  });
});
