import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aContact } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import { emptyContactForm } from './ContactForm';
import { toUpdateInput } from './EditContactPage';

describe('toUpdateInput', () => {
  const contact = aContact({ name: 'Ada', phone: '+447911123456', email: 'ada@example.com' });

  it('sends only what changed, and null for a cleared field', () => {
    expect(
      toUpdateInput(contact, { ...emptyContactForm, name: 'Ada Lovelace ', phone: '+447911123456', email: '' }),
    ).toEqual({ name: 'Ada Lovelace', email: null });
  });

  it('sends nothing when nothing changed', () => {
    expect(toUpdateInput(contact, { ...emptyContactForm, name: 'Ada', phone: '+447911123456', email: 'ada@example.com' })).toEqual({});
  });
});

describe('EditContactPage', () => {
  it('saves the changes and goes back to the contact', async () => {
    const user = userEvent.setup();
    const contact = aContact({ contactId: 'c-ada', name: 'Ada', email: 'ada@example.com' });
    const { requests, router } = renderApp({
      path: '/contacts/c-ada/edit',
      as: 'Operator',
      routes: {
        'GET /api/contacts/c-ada': () => json(200, contact),
        'PATCH /api/contacts/c-ada': () => json(200, { ...contact, name: 'Ada Lovelace' }),
      },
    });
    const name = await screen.findByLabelText('Name');
    expect(name).toHaveValue('Ada');
    await user.clear(name);
    await user.type(name, 'Ada Lovelace');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Changes saved.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/contacts/c-ada');
    expect(screen.getByRole('heading', { name: 'Ada Lovelace' })).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ name: 'Ada Lovelace' });
  });
});
