import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aContact } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

const page = (items: ReturnType<typeof aContact>[], nextCursor: string | null = null) => ({ items, nextCursor });

describe('ContactsPage', () => {
  it('shows placeholders, then the contacts in the order the API gives (newest first)', async () => {
    const newest = aContact({ name: 'Grace Hopper', optInWhatsApp: true, optInEmail: true, email: 'grace@example.com' });
    const older = aContact({ name: 'Ada Lovelace' });
    const { container, requests } = renderApp({
      path: '/contacts',
      as: 'Operator',
      routes: { 'GET /api/contacts': () => json(200, page([newest, older])) },
    });
    expect(container.querySelector('.skeleton')).not.toBeNull();
    const list = await screen.findByRole('list', { name: 'Contacts, newest first' });
    const rows = within(list).getAllByRole('link');
    expect(rows.map((r) => within(r).getByText(/Grace|Ada/).textContent)).toEqual(['Grace Hopper', 'Ada Lovelace']);
    expect(rows[0]).toHaveTextContent('WhatsApp');
    expect(rows[0]).toHaveTextContent('grace@example.com');
    expect(rows[1]).toHaveTextContent('No opt-ins');
    expect(rows[0]).toHaveAttribute('href', `/contacts/${newest.contactId}`);
    expect(requests.find((r) => r.url.pathname === '/api/contacts')?.url.searchParams.get('limit')).toBe('25');
  });

  it('searches as you type, once typing pauses', async () => {
    const user = userEvent.setup();
    const ada = aContact({ name: 'Ada Lovelace' });
    const { requests, router } = renderApp({
      path: '/contacts',
      as: 'Operator',
      routes: {
        'GET /api/contacts': () => json(200, page([aContact(), ada])),
        'GET /api/contacts/search': (r) => json(200, page(r.url.searchParams.get('q') === 'ada' ? [ada] : [])),
      },
    });
    await screen.findByRole('list', { name: 'Contacts, newest first' });
    await user.type(screen.getByRole('searchbox', { name: 'Search contacts' }), 'ada');
    const results = await screen.findByRole('list', { name: 'Contacts matching ada' });
    expect(within(results).getAllByRole('link')).toHaveLength(1);
    const searches = requests.filter((r) => r.url.pathname === '/api/contacts/search');
    expect(searches.map((r) => r.url.searchParams.get('q'))).toEqual(['ada']);
    expect(router.state.location.search).toBe('?q=ada');
    expect(screen.getByText('1 found')).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/contacts',
      as: 'Viewer',
      routes: {
        'GET /api/contacts': () => json(200, page([aContact()])),
        'GET /api/contacts/search': () => json(200, page([])),
      },
    });
    await user.type(await screen.findByRole('searchbox'), 'zzz');
    expect(await screen.findByText('No contacts match “zzz”.')).toBeInTheDocument();
  });

  it('loads the next page with the cursor', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({
      path: '/contacts',
      as: 'Operator',
      routes: {
        'GET /api/contacts': (r) =>
          r.url.searchParams.get('cursor') === 'page-2'
            ? json(200, page([aContact({ name: 'On page two' })]))
            : json(200, page([aContact({ name: 'On page one' })], 'page-2')),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('On page two')).toBeInTheDocument();
    expect(screen.getByText('On page one')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname === '/api/contacts')).toHaveLength(2);
  });

  it('offers "New contact" to an Operator but not to a Viewer', async () => {
    const routes = { 'GET /api/contacts': () => json(200, page([aContact()])) };
    const operator = renderApp({ path: '/contacts', as: 'Operator', routes });
    expect(await screen.findByRole('link', { name: 'New contact' })).toBeInTheDocument();
    operator.unmount();
    localStorage.clear();
    renderApp({ path: '/contacts', as: 'Viewer', routes });
    await screen.findByRole('list', { name: 'Contacts, newest first' });
    expect(screen.queryByRole('link', { name: 'New contact' })).not.toBeInTheDocument();
    expect(screen.getByText('Viewer')).toBeInTheDocument();
  });

  it('offers a retry when the list cannot load', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderApp({
      path: '/contacts',
      as: 'Operator',
      routes: {
        'GET /api/contacts': () => {
          calls += 1;
          return calls === 1
            ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } })
            : json(200, page([aContact({ name: 'Back again' })]));
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByText('Back again')).toBeInTheDocument());
  });
});
