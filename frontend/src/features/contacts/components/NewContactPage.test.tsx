import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aContact } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

describe('NewContactPage', () => {
  it('creates a contact from the filled fields and opens it', async () => {
    const user = userEvent.setup();
    const created = aContact({ contactId: 'c-new', name: 'Grace Hopper', email: 'grace@example.com', optInEmail: true });
    const { requests, router } = renderApp({
      path: '/contacts/new',
      as: 'Operator',
      routes: {
        'POST /api/contacts': () => json(201, created),
        'GET /api/contacts/c-new': () => json(200, created),
      },
    });
    await user.type(await screen.findByLabelText('Name'), '  Grace Hopper ');
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'grace@example.com');
    await user.click(screen.getByRole('checkbox', { name: 'Email' }));
    await user.click(screen.getByRole('button', { name: 'Create contact' }));
    expect(await screen.findByText('Contact created.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/contacts/c-new');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      name: 'Grace Hopper',
      email: 'grace@example.com',
      optInWhatsApp: false,
      optInSms: false,
      optInEmail: true,
    });
  });

  it("shows the API's validation error under the field it names, and focuses it", async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/contacts/new',
      as: 'Operator',
      routes: {
        'POST /api/contacts': () =>
          json(400, { error: { code: 'VALIDATION_FAILED', message: 'phone: is not a valid number for its country' } }),
      },
    });
    await user.type(await screen.findByLabelText('Phone'), '123');
    await user.click(screen.getByRole('button', { name: 'Create contact' }));
    const phone = screen.getByLabelText('Phone');
    await waitFor(() => expect(phone).toHaveAttribute('aria-invalid', 'true'));
    expect(phone).toHaveAccessibleDescription(expect.stringContaining('Phone is not a valid number for its country'));
    expect(phone).toHaveFocus();
    expect(screen.getByRole('textbox', { name: 'Email' })).not.toHaveAttribute('aria-invalid');

    await user.type(phone, '4');
    expect(phone).not.toHaveAttribute('aria-invalid');
  });

  it('links to the contact that already has the phone number', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/contacts/new',
      as: 'Operator',
      routes: {
        'POST /api/contacts': () => json(409, { error: { code: 'CONFLICT', message: 'phone: already belongs to contact c-7' } }),
      },
    });
    await user.type(await screen.findByLabelText('Phone'), '+447911123456');
    await user.click(screen.getByRole('button', { name: 'Create contact' }));
    expect(await screen.findByText(/Phone already belongs to another contact/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open that contact' })).toHaveAttribute('href', '/contacts/c-7');
  });

  it('shows errors that name no field above the buttons', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/contacts/new',
      as: 'Operator',
      routes: { 'POST /api/contacts': () => json(403, { error: { code: 'FORBIDDEN', message: 'nope' } }) },
    });
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'a@b.co');
    await user.click(screen.getByRole('button', { name: 'Create contact' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your role does not allow this action.');
  });

  it('is not offered to a Viewer', async () => {
    renderApp({ path: '/contacts/new', as: 'Viewer' });
    expect(await screen.findByText('Your role does not allow you to create contacts.')).toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  });
});
