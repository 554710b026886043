import { ApiClient } from '@/lib/api-client';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aMessage } from '@/testing/fixtures';
import { getInboxContact } from './get-contact';
import { getConversations } from './get-conversations';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

describe('getConversations', () => {
  it('asks for a page after the cursor and reads the rows the API sends', async () => {
    const lastMessage = { ...aMessage(), tenantId: 'wecare', isTemplate: false, createdBy: 'inbound', expiresAt: 1 };
    const { api, requests } = client({
      'GET /api/conversations': () =>
        json(200, {
          items: [
            {
              contactId: 'c-1',
              lastMessage,
              unreadCount: 1,
              lastInboundAt: lastMessage.createdAt,
              windowExpiresAt: '2026-11-21T09:01:00Z',
              updatedAt: lastMessage.createdAt,
            },
            { contactId: 'c-2', lastMessage, unreadCount: 0, lastInboundAt: null, windowExpiresAt: null, updatedAt: lastMessage.createdAt },
          ],
          nextCursor: 'abc',
        }),
    });
    const page = await getConversations(api, { cursor: 'prev' });
    expect(requests[0]?.url.search).toBe('?limit=25&cursor=prev');
    expect(page.nextCursor).toBe('abc');
    expect(page.items.map((c) => [c.contactId, c.windowExpiresAt])).toEqual([
      ['c-1', '2026-11-21T09:01:00Z'],
      ['c-2', null],
    ]);
    expect(page.items[0]?.lastMessage.text).toBe(lastMessage.text);
  });

  it('refuses rows of another shape', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { api } = client({ 'GET /api/conversations': () => json(200, { items: [{ contactId: 'c-1' }], nextCursor: null }) });
    await expect(getConversations(api, {})).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('getInboxContact', () => {
  it('reads the name and addresses of a contact', async () => {
    const { api, requests } = client({
      'GET /api/contacts/c%2F1': () => json(200, { contactId: 'c/1', name: 'Ada', phone: '+1', optInSms: true }),
    });
    await expect(getInboxContact(api, 'c/1')).resolves.toEqual({ contactId: 'c/1', name: 'Ada', phone: '+1' });
    expect(requests).toHaveLength(1);
  });
});
