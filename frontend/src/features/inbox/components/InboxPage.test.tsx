import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aContact, aMessage } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Conversation } from '../api/conversation';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000 + 30_000).toISOString();

function aConversation(overrides: Partial<Conversation> = {}): Conversation {
  const lastMessage = aMessage({ contactId: 'c-ada', text: 'Is my order on its way?' });
  return {
    contactId: 'c-ada',
    lastMessage,
    unreadCount: 2,
    lastInboundAt: lastMessage.createdAt,
    windowExpiresAt: inMinutes(3 * 60 + 12),
    updatedAt: lastMessage.createdAt,
    ...overrides,
  };
}

/** The unread badge's whole text ("2 unread"), or null. */
const unread = (row: HTMLElement) => row.querySelector('.badge')?.textContent ?? null;

const page = (items: Conversation[], nextCursor: string | null = null) => json(200, { items, nextCursor });

describe('InboxPage', () => {
  it('lists each conversation with who, what, the channel, the unread count and the window', async () => {
    const email = aConversation({
      contactId: 'c-bob',
      unreadCount: 0,
      windowExpiresAt: null,
      lastMessage: aMessage({
        contactId: 'c-bob',
        channel: 'email',
        direction: 'outbound',
        status: 'sent',
        to: 'bob@example.com',
        from: 'hello@wecare.digital',
        subject: 'Your invoice',
      }),
    });
    renderApp({
      path: '/inbox',
      as: 'Viewer',
      routes: {
        'GET /api/conversations': () => page([aConversation(), email]),
        'GET /api/contacts/c-ada': () => json(200, aContact({ contactId: 'c-ada', name: 'Ada Lovelace', phone: '+919876543210' })),
        'GET /api/contacts/c-bob': () => json(200, aContact({ contactId: 'c-bob', name: 'Bob', phone: undefined, email: 'bob@example.com' })),
      },
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Inbox' })).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Conversations, latest first' });
    const [ada, bob] = within(list).getAllByRole('link');
    if (!ada || !bob) throw new Error('two rows expected');
    expect(ada).toHaveAttribute('href', '/conversations/c-ada');
    expect(await within(ada).findByText('Ada Lovelace')).toBeInTheDocument();
    expect(within(ada).getByText('+919876543210')).toBeInTheDocument();
    expect(within(ada).getByRole('img', { name: 'WhatsApp' })).toBeInTheDocument();
    expect(within(ada).getByText('Is my order on its way?')).toBeInTheDocument();
    expect(unread(ada)).toBe('2 unread');
    expect(within(ada).getByText('WhatsApp window open · 3 h 12 min left')).toBeInTheDocument();

    expect(await within(bob).findByText('Bob')).toBeInTheDocument();
    expect(within(bob).getByRole('img', { name: 'Email' })).toBeInTheDocument();
    expect(within(bob).getByText('You: Your invoice')).toBeInTheDocument();
    expect(unread(bob)).toBeNull();
    expect(within(bob).getByText('WhatsApp window closed')).toBeInTheDocument();
  });

  it('shows the delivery ticks of a last message the business sent, with words for screen readers', async () => {
    const outbound = (contactId: string, status: string, extra: Partial<Conversation['lastMessage']> = {}) =>
      aConversation({
        contactId,
        unreadCount: 0,
        lastMessage: aMessage({ contactId, direction: 'outbound', status, from: 'pn-1', to: '+919876543210', text: `is ${status}`, ...extra }),
      });
    const contacts = ['c-queued', 'c-sent', 'c-delivered', 'c-read', 'c-failed', 'c-sending', 'c-unknown'];
    renderApp({
      path: '/inbox',
      as: 'Viewer',
      routes: {
        'GET /api/conversations': () =>
          page([
            outbound('c-queued', 'queued'),
            outbound('c-sent', 'sent'),
            outbound('c-delivered', 'delivered'),
            outbound('c-read', 'read'),
            outbound('c-failed', 'failed', { error: { code: '131026', message: 'Message undeliverable' } }),
            outbound('c-sending', 'sending'),
            outbound('c-unknown', 'unknown'),
            aConversation(),
          ]),
        ...Object.fromEntries(
          [...contacts, 'c-ada'].map((id) => [`GET /api/contacts/${id}`, () => json(200, aContact({ contactId: id, name: id }))]),
        ),
      },
    });
    const list = await screen.findByRole('list', { name: 'Conversations, latest first' });
    const rows = within(list).getAllByRole('link');
    const status = (row: HTMLElement | undefined) => row?.querySelector('.message-status') ?? null;
    const [queued, sent, delivered, read, failed, sending, unknown, inbound] = rows;
    expect(status(queued)).toHaveTextContent('✓Queued');
    expect(status(sent)).toHaveTextContent('✓Sent');
    expect(status(delivered)).toHaveTextContent('✓✓Delivered');
    expect(status(read)).toHaveTextContent('✓✓Read');
    expect(status(read)).toHaveClass('message-status--read');
    expect(status(failed)).toHaveTextContent('!Failed: Message undeliverable (131026)');
    expect(status(failed)).toHaveAttribute('title', 'Failed: Message undeliverable (131026)');
    expect(status(failed)).toHaveClass('message-status--failed');
    expect(status(sending)).toHaveTextContent('…Sending');
    // Unknown: the words in the row's name, what they mean in the tooltip.
    expect(status(unknown)).toHaveTextContent('?Delivery unknown');
    expect(status(unknown)).toHaveAttribute('title', expect.stringMatching(/^Delivery unknown\. We could not confirm whether the provider accepted this message\./));
    expect(status(unknown)).toHaveClass('message-status--unknown');
    expect(unknown).toHaveAccessibleName(/Last message by WhatsApp:\s*Delivery unknown\.\s*You: is unknown/);
    expect(within(status(delivered) as HTMLElement).getByText('✓✓')).toHaveAttribute('aria-hidden', 'true');
    // The row's name reads the status before the message, as the ticks are drawn.
    expect(delivered).toHaveAccessibleName(/Last message by WhatsApp:\s*Delivered\.\s*You: is delivered/);
    expect(status(inbound)).toBeNull();
  });

  it('shows placeholders while loading, then the address until the contact arrives', async () => {
    let answerContact: (r: Response) => void = () => undefined;
    renderApp({
      path: '/inbox',
      as: 'Operator',
      routes: {
        'GET /api/conversations': () => page([aConversation()]),
        'GET /api/contacts/c-ada': () => new Promise<Response>((resolve) => (answerContact = resolve)),
      },
    });
    await waitFor(() => expect(document.querySelector('.inbox-row--skeleton')).not.toBeNull());
    const row = await screen.findByRole('link', { name: /Is my order on its way/ });
    expect(within(row).getByText('+919876543210')).toBeInTheDocument();
    answerContact(json(200, aContact({ contactId: 'c-ada', name: 'Ada Lovelace' })));
    expect(await within(row).findByText('Ada Lovelace')).toBeInTheDocument();
  });

  it('says a contact was deleted', async () => {
    renderApp({
      path: '/inbox',
      as: 'Operator',
      routes: {
        'GET /api/conversations': () => page([aConversation()]),
        'GET /api/contacts/c-ada': () => json(404, { error: { code: 'NOT_FOUND', message: 'contact not found' } }),
      },
    });
    expect(await screen.findByText('Deleted contact')).toBeInTheDocument();
  });

  it('refreshes by itself', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let count = 1;
      renderApp({
        path: '/inbox',
        as: 'Operator',
        routes: {
          'GET /api/conversations': () => page([aConversation({ unreadCount: count })]),
          'GET /api/contacts/c-ada': () => json(200, aContact({ contactId: 'c-ada', name: 'Ada Lovelace' })),
        },
      });
      const row = await screen.findByRole('link', { name: /Is my order on its way/ });
      expect(unread(row)).toBe('1 unread');
      count = 3;
      await vi.advanceTimersByTimeAsync(5_100);
      await waitFor(() => expect(unread(row)).toBe('3 unread'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('pages on with the cursor', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({
      path: '/inbox',
      as: 'Operator',
      routes: {
        'GET /api/conversations': (r) =>
          r.url.searchParams.get('cursor') === 'next-1'
            ? page([aConversation({ contactId: 'c-old', lastMessage: aMessage({ contactId: 'c-old', text: 'Older one' }) })])
            : page([aConversation()], 'next-1'),
        'GET /api/contacts/c-ada': () => json(200, aContact({ contactId: 'c-ada' })),
        'GET /api/contacts/c-old': () => json(200, aContact({ contactId: 'c-old' })),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Older one')).toBeInTheDocument();
    expect(requests.find((r) => r.url.searchParams.get('cursor') === 'next-1')?.url.searchParams.get('limit')).toBe('25');
  });

  it('has an empty state', async () => {
    renderApp({ path: '/inbox', as: 'Operator', routes: { 'GET /api/conversations': () => page([]) } });
    expect(await screen.findByText('No conversations yet.')).toBeInTheDocument();
  });

  it('says when the inbox cannot be loaded, and tries again on request', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const user = userEvent.setup();
    let fail = true;
    renderApp({
      path: '/inbox',
      as: 'Operator',
      routes: {
        'GET /api/conversations': () =>
          fail ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : page([]),
      },
    });
    expect(await screen.findByText('The inbox could not be loaded.')).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this action.')).toBeInTheDocument();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No conversations yet.')).toBeInTheDocument();
  });

  it('is in the sidebar for every role', async () => {
    renderApp({ path: '/inbox', as: 'Viewer', routes: { 'GET /api/conversations': () => page([]) } });
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await waitFor(() => expect(within(nav).getAllByRole('link').map((l) => l.textContent)).toEqual(['Overview', 'Inbox', 'Contacts', 'Bulk Messaging', 'Templates']));
  });
});
