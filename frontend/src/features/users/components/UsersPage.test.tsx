import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Member } from '../api/member';

const asAdmin = { 'GET /api/me': () => json(200, users.Admin) };
/** The page is its own chunk: its first render waits for the import, slow on a busy machine. */
const loaded = { timeout: 5_000 };

function aMember(overrides: Partial<Member> = {}): Member {
  return {
    userId: 'u-x',
    email: 'x@example.com',
    role: 'Operator',
    status: 'ENABLED',
    accountStatus: 'CONFIRMED',
    createdAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

const me = aMember({ userId: users.Admin.userId, email: users.Admin.email, role: 'Admin', lastSignInAt: new Date().toISOString() });
const ravi = aMember({ userId: 'u-ravi', email: 'ravi@example.com', role: 'Operator' });
const page = (items: Member[], nextCursor: string | null = null) => ({ items, nextCursor });

describe('UsersPage', () => {
  it('lists the team with roles, status, invitations and last sign-in', async () => {
    const invited = aMember({ userId: 'u-new', email: 'new@example.com', role: 'Viewer', accountStatus: 'FORCE_CHANGE_PASSWORD', invitedBy: 'admin@wecare.digital' });
    const off = aMember({ userId: 'u-off', email: 'off@example.com', status: 'DISABLED' });
    renderApp({ path: '/users', as: 'Admin', routes: { ...asAdmin, 'GET /api/users': () => json(200, page([me, invited, off, ravi])) } });
    const table = await screen.findByRole('table', { name: 'Users by email' }, loaded);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toHaveTextContent('admin@wecare.digital (you)');
    expect(rows[0]).toHaveTextContent('just now');
    expect(rows[1]).toHaveTextContent('Invited');
    expect(rows[1]).toHaveTextContent('Invited by admin@wecare.digital');
    expect(rows[1]).toHaveTextContent('Not yet: waiting for their first sign-in');
    expect(within(rows[2] as HTMLElement).getByRole('button', { name: 'Enable off@example.com' })).toBeInTheDocument();
    expect(within(rows[3] as HTMLElement).getByRole('button', { name: 'Disable ravi@example.com' })).toBeInTheDocument();
    expect(within(rows[3] as HTMLElement).getByRole('link', { name: 'History of ravi@example.com' })).toHaveAttribute(
      'href',
      '/audit?resourceType=user&resourceId=u-ravi',
    );
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Users');
  });

  it('invites someone and shows the temporary password once', async () => {
    const user = userEvent.setup();
    const invited = aMember({ userId: 'u-priya', email: 'priya@example.com', accountStatus: 'FORCE_CHANGE_PASSWORD' });
    let listed = [me];
    const { requests } = renderApp({
      path: '/users',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/users': () => json(200, page(listed)),
        'POST /api/users': () => {
          listed = [me, invited];
          return json(201, { user: invited, delivery: 'SHOW_ONCE', temporaryPassword: 'Tq7!mXk2pL9#aBcD' });
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Invite user' }, loaded));
    const form = await screen.findByRole('dialog', { name: 'Invite a user' });
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));
    expect(within(form).getByText('Enter their email address.')).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Email'), 'priya@example.com');
    await user.selectOptions(within(form).getByLabelText('Role'), 'Admin');
    expect(form).toHaveTextContent('Everything, including users');
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));

    const shown = await screen.findByRole('dialog', { name: 'priya@example.com is invited' });
    expect(within(shown).getByTestId('temporary-password')).toHaveTextContent('Tq7!mXk2pL9#aBcD');
    expect(shown).toHaveTextContent('shown only now');
    expect(requests.find((r) => r.method === 'POST' && r.url.pathname === '/api/users')?.body).toEqual({ email: 'priya@example.com', role: 'Admin' });
    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByTestId('temporary-password')).not.toBeInTheDocument());
    expect(await screen.findByText('priya@example.com')).toBeInTheDocument();
  });

  it('says where the password went when Cognito emails it, and when the address is taken', async () => {
    const user = userEvent.setup();
    let first = true;
    renderApp({
      path: '/users',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/users': () => json(200, page([me])),
        'POST /api/users': () => {
          if (first) {
            first = false;
            return json(409, { error: { code: 'CONFLICT', message: 'an account with this email address already exists' } });
          }
          return json(201, { user: aMember({ email: 'e@example.com' }), delivery: 'EMAIL' });
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Invite user' }, loaded));
    const form = await screen.findByRole('dialog', { name: 'Invite a user' });
    await user.type(within(form).getByLabelText('Email'), 'e@example.com');
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Someone with this email address already has an account.');
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));
    const shown = await screen.findByRole('dialog', { name: 'e@example.com is invited' });
    expect(shown).toHaveTextContent('Cognito has emailed e@example.com a temporary password.');
    expect(within(shown).queryByTestId('temporary-password')).not.toBeInTheDocument();
  });

  it('changes a role, and explains the last-Admin rule when it refuses', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({
      path: '/users',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/users': () => json(200, page([me, ravi])),
        'PATCH /api/users/u-ravi': () => json(200, { user: { ...ravi, role: 'Viewer' } }),
        [`PATCH /api/users/${me.userId}`]: () =>
          json(409, { error: { code: 'LAST_ADMIN', message: 'the tenant must keep at least one enabled Admin' } }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Change role of ravi@example.com' }, loaded));
    const dialog = await screen.findByRole('dialog', { name: 'Change the role of ravi@example.com' });
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'Viewer');
    await user.click(within(dialog).getByRole('button', { name: 'Change role' }));
    expect(await screen.findByText('ravi@example.com is now a Viewer. It applies at their next request.')).toBeInTheDocument();
    expect(requests.find((r) => r.url.pathname === '/api/users/u-ravi')?.body).toEqual({ role: 'Viewer' });

    await user.click(screen.getByRole('button', { name: 'Change role of admin@wecare.digital' }));
    const mine = await screen.findByRole('dialog', { name: 'Change the role of admin@wecare.digital' });
    await user.selectOptions(within(mine).getByLabelText('Role'), 'Operator');
    await user.click(within(mine).getByRole('button', { name: 'Change role' }));
    expect(await within(mine).findByRole('alert')).toHaveTextContent(
      'admin@wecare.digital is the last enabled Admin of your organisation. Make someone else an Admin first, then try again.',
    );
  });

  it('disables a member only after a confirmation, and enables them again', async () => {
    const user = userEvent.setup();
    let current = ravi;
    const { requests } = renderApp({
      path: '/users',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/users': () => json(200, page([me, current])),
        'PATCH /api/users/u-ravi': (r) => {
          current = { ...ravi, status: (r.body as { enabled: boolean }).enabled ? 'ENABLED' : 'DISABLED' };
          return json(200, { user: current });
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Disable ravi@example.com' }, loaded));
    const confirm = await screen.findByRole('dialog', { name: 'Disable ravi@example.com?' });
    expect(confirm).toHaveTextContent('signed out everywhere');
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'PATCH')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Disable ravi@example.com' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Disable ravi@example.com?' })).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText(/ravi@example.com is disabled/)).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ enabled: false });

    await user.click(await screen.findByRole('button', { name: 'Enable ravi@example.com' }));
    expect(await screen.findByText('ravi@example.com is enabled again and can sign in.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ enabled: false }, { enabled: true }]);
  });

  it('is an Admin’s alone', async () => {
    const { requests } = renderApp({ path: '/users', as: 'Operator', routes: { 'GET /api/contacts': () => json(200, page([])) } });
    expect(await screen.findByText('Your role does not allow you to manage users.', {}, loaded)).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).not.toHaveTextContent('Users');
    expect(requests.some((r) => r.url.pathname === '/api/users')).toBe(false);
  });
});
