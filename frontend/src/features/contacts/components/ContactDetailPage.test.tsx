import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aContact } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

const withHistory = () =>
  aContact({
    contactId: 'c-ada',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    optInSms: true,
    consentHistory: [
      { channel: 'sms', optedIn: true, by: 'u-other', at: '2026-11-01T09:00:00.000Z', source: 'import' },
      { channel: 'sms', optedIn: false, by: 'c-ada', at: '2026-11-02T09:00:00.000Z', source: 'inbound_keyword' },
      { channel: 'sms', optedIn: true, by: 'u-operator', at: '2026-11-03T09:00:00.000Z', source: 'operator' },
    ],
  });

describe('ContactDetailPage', () => {
  it('shows who changed consent, when and how', async () => {
    renderApp({ path: '/contacts/c-ada', as: 'Operator', routes: { 'GET /api/contacts/c-ada': () => json(200, withHistory()) } });
    expect(await screen.findByRole('heading', { name: 'Ada Lovelace' })).toBeInTheDocument();
    const consent = screen.getByRole('region', { name: 'Consent' });
    expect(within(consent).getByText(/Opted in by you on/)).toHaveTextContent('set in the console');
    expect(within(consent).getByText('Earlier changes (2)')).toBeInTheDocument();
    expect(within(consent).getByText(/Opted out by the contact/)).toHaveTextContent('keyword reply (STOP/START)');
    expect(within(consent).getByText(/Opted in by user u-other/)).toHaveTextContent('import');
    expect(within(consent).getAllByText('No consent recorded')).toHaveLength(2);
    expect(screen.getByRole('switch', { name: 'SMS opt-in' })).toHaveAttribute('aria-checked', 'true');
  });

  it('changes a channel opt-in with its switch', async () => {
    const user = userEvent.setup();
    const contact = withHistory();
    const { requests } = renderApp({
      path: '/contacts/c-ada',
      as: 'Operator',
      routes: {
        'GET /api/contacts/c-ada': () => json(200, contact),
        'PATCH /api/contacts/c-ada': () =>
          json(200, {
            ...contact,
            optInWhatsApp: true,
            consentHistory: [
              ...contact.consentHistory,
              { channel: 'whatsapp', optedIn: true, by: 'u-operator', at: '2026-11-04T09:00:00.000Z', source: 'operator' },
            ],
          }),
      },
    });
    const toggle = await screen.findByRole('switch', { name: 'WhatsApp opt-in' });
    expect(toggle).toHaveAttribute('aria-checked', 'false');
    await user.click(toggle);
    await waitFor(() => expect(screen.getByRole('switch', { name: 'WhatsApp opt-in' })).toHaveAttribute('aria-checked', 'true'));
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ optInWhatsApp: true });
  });

  it('asks before deleting, then returns to the list', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderApp({
      path: '/contacts/c-ada',
      as: 'Admin',
      routes: {
        'GET /api/contacts/c-ada': () => json(200, withHistory()),
        'DELETE /api/contacts/c-ada': () => new Response(null, { status: 204 }),
        'GET /api/contacts': () => json(200, { items: [], nextCursor: null }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this contact?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete contact' }));
    expect(await screen.findByText('Ada Lovelace was deleted.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/contacts');
    expect(requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('gives a Viewer the facts but no controls', async () => {
    renderApp({ path: '/contacts/c-ada', as: 'Viewer', routes: { 'GET /api/contacts/c-ada': () => json(200, withHistory()) } });
    await screen.findByRole('heading', { name: 'Ada Lovelace' });
    expect(screen.queryByRole('switch')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Edit' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.getByText('Opted in', { selector: '.consent__state' })).toBeInTheDocument();
  });

  it('links to the conversation with the contact, for every role that reads messages', async () => {
    renderApp({ path: '/contacts/c-ada', as: 'Viewer', routes: { 'GET /api/contacts/c-ada': () => json(200, withHistory()) } });
    expect(await screen.findByRole('link', { name: 'Conversation' })).toHaveAttribute('href', '/conversations/c-ada');
  });

  it('says when the contact does not exist', async () => {
    renderApp({
      path: '/contacts/gone',
      as: 'Operator',
      routes: { 'GET /api/contacts/gone': () => json(404, { error: { code: 'NOT_FOUND', message: 'contact not found' } }) },
    });
    expect(await screen.findByRole('heading', { name: 'Contact not found' })).toBeInTheDocument();
  });
});
