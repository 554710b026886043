import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { AuditEntry } from '../api/audit-entry';

const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'readAudit'] };
const asAdmin = { 'GET /api/me': () => json(200, admin) };

let n = 0;
function anEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  n += 1;
  return {
    auditId: `a-${n}`,
    actorId: 'u-operator',
    actorEmail: 'operator@wecare.digital',
    actorRole: 'Operator',
    action: 'contact.update',
    resourceType: 'contact',
    resourceId: `c-${n}`,
    outcome: 'success',
    before: { optInSms: false },
    after: { optInSms: true },
    requestId: `r-${n}`,
    sourceIp: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    at: new Date(Date.UTC(2026, 11, 4, 10, 60 - n)).toISOString(),
    ...overrides,
  };
}

const page = (items: AuditEntry[], nextCursor: string | null = null) => ({ items, nextCursor });
/** The page is its own chunk: its first render waits for the import, slow on a busy machine. */
const loaded = { timeout: 5_000 };

describe('AuditLogPage', () => {
  it('lists entries newest first with when, who, what, on what and how it ended', async () => {
    const changed = anEntry();
    const denied = anEntry({ action: 'user.update', resourceType: 'user', resourceId: 'u-9', outcome: 'denied', actorRole: 'Viewer', actorEmail: 'viewer@wecare.digital', before: undefined, after: undefined });
    const system = anEntry({ action: 'consent.opt_out', actorId: 'system', actorEmail: undefined, actorRole: 'Admin' });
    const { requests } = renderApp({
      path: '/audit',
      as: 'Admin',
      routes: { ...asAdmin, 'GET /api/audit': () => json(200, page([changed, denied, system])) },
    });
    const table = await screen.findByRole('table', { name: 'Audit entries, newest first' }, loaded);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('operator@wecare.digital');
    expect(rows[0]).toHaveTextContent('Changed a contact');
    expect(within(rows[0] as HTMLElement).getByRole('link', { name: `Contact ${changed.resourceId}` })).toHaveAttribute('href', `/contacts/${changed.resourceId}`);
    expect(rows[1]).toHaveTextContent('Denied');
    expect(rows[1]).toHaveTextContent('User u-9');
    expect(rows[2]).toHaveTextContent('The platform');
    expect(requests.find((r) => r.url.pathname === '/api/audit')?.url.search).toBe('?limit=25');
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Audit log');
  });

  it('searches by who, what, item, outcome and days, keeping the search in the address', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderApp({
      path: '/audit',
      as: 'Admin',
      routes: { ...asAdmin, 'GET /api/audit': () => json(200, page([anEntry()])) },
    });
    await screen.findByRole('table', {}, loaded);
    await user.type(screen.getByLabelText('Who'), 'operator@wecare.digital');
    await user.selectOptions(screen.getByLabelText('What'), 'user.*');
    await user.selectOptions(screen.getByLabelText('Outcome'), 'denied');
    await user.selectOptions(screen.getByLabelText('Item type'), 'user');
    await user.type(screen.getByLabelText('Item id'), 'u-9');
    await user.type(screen.getByLabelText('From'), '2026-12-01');
    await user.type(screen.getByLabelText('To'), '2026-12-03');
    await user.click(screen.getByRole('button', { name: 'Search' }));

    await waitFor(() => expect(requests.filter((r) => r.url.pathname === '/api/audit')).toHaveLength(2));
    const sent = requests.filter((r) => r.url.pathname === '/api/audit')[1]?.url.searchParams;
    expect(sent?.get('actor')).toBe('operator@wecare.digital');
    expect(sent?.get('action')).toBe('user.*');
    expect(sent?.get('outcome')).toBe('denied');
    expect(sent?.get('resourceType')).toBe('user');
    expect(sent?.get('resourceId')).toBe('u-9');
    expect(sent?.get('from')).toBe(new Date(2026, 11, 1).toISOString());
    expect(sent?.get('to')).toBe(new Date(2026, 11, 3, 23, 59, 59, 999).toISOString());
    expect(router.state.location.search).toContain('action=user.*');
    expect(await screen.findByRole('table', { name: /by operator@wecare\.digital, users and roles, on user u-9, denied, from 2026-12-01, until 2026-12-03/ })).toBeInTheDocument();
  });

  it('points out a search it cannot send before sending it', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({ path: '/audit', as: 'Admin', routes: { ...asAdmin, 'GET /api/audit': () => json(200, page([])) } });
    await screen.findByText('Nothing recorded yet.', {}, loaded);
    await user.type(screen.getByLabelText('Item id'), 'c-1');
    await user.type(screen.getByLabelText('From'), '2026-12-05');
    await user.type(screen.getByLabelText('To'), '2026-12-01');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(screen.getByText('Choose what kind of item the id is.')).toBeInTheDocument();
    expect(screen.getByText('The last day must not be before the first.')).toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname === '/api/audit')).toHaveLength(1);
  });

  it('loads older entries with the cursor, and goes on past days with nothing to show', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/audit?action=user.*',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/audit': (r) => {
          const cursor = r.url.searchParams.get('cursor');
          if (cursor === null) return json(200, page([], 'quiet-days'));
          if (cursor === 'quiet-days') return json(200, page([anEntry({ action: 'user.invite' })], 'older'));
          return json(200, page([anEntry({ action: 'user.role_change' })]));
        },
      },
    });
    expect(await screen.findByText(/The most recent days have no entries for this search/, {}, loaded)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Search older days' }));
    expect(await screen.findByText('Invited a user')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Changed a role')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(screen.getByText(/That is everything recorded users and roles in the last 180 days/)).toBeInTheDocument();
  });

  it('opens an entry with its values side by side, and narrows to its actor or its item', async () => {
    const user = userEvent.setup();
    const role = anEntry({
      action: 'user.role_change',
      actorId: 'u-admin',
      actorEmail: 'admin@wecare.digital',
      actorRole: 'Admin',
      resourceType: 'user',
      resourceId: 'u-7',
      before: { role: 'Operator', status: 'ENABLED' },
      after: { role: 'Viewer', status: 'ENABLED', email: 'ravi@example.com' },
    });
    const { router } = renderApp({ path: '/audit', as: 'Admin', routes: { ...asAdmin, 'GET /api/audit': () => json(200, page([role])) } });
    await user.click(await screen.findByRole('button', { name: /Details of “Changed a role”/ }, loaded));
    const dialog = await screen.findByRole('dialog', { name: 'Changed a role' });
    expect(dialog).toHaveTextContent('admin@wecare.digital as Admin');
    expect(dialog).toHaveTextContent('203.0.113.7');
    const changes = within(dialog).getByRole('table', { name: 'Values before and after' });
    const roleRow = within(changes).getByRole('row', { name: /role/ });
    expect(roleRow).toHaveTextContent('Operator');
    expect(roleRow).toHaveTextContent('Viewer');
    await user.click(within(dialog).getByRole('button', { name: 'History of this user' }));
    expect(router.state.location.search).toBe('?resourceType=user&resourceId=u-7');
    await user.click(await screen.findByRole('button', { name: /Details of/ }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Everything by this person' }));
    expect(router.state.location.search).toBe('?actor=u-admin');
  });

  it('is an Admin’s alone: others see no entry in the menu and are told on the page, and nothing is asked', async () => {
    const { requests } = renderApp({ path: '/audit', as: 'Operator', routes: { 'GET /api/contacts': () => json(200, page([])) } });
    expect(await screen.findByText('Your role does not allow you to read the audit log.', {}, loaded)).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).not.toHaveTextContent('Audit log');
    expect(requests.some((r) => r.url.pathname === '/api/audit')).toBe(false);
  });

  it('says what to do when the log cannot be loaded', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderApp({
      path: '/audit',
      as: 'Admin',
      routes: {
        ...asAdmin,
        'GET /api/audit': () => {
          calls += 1;
          // A 5xx is retried twice by the query client before the page shows it.
          return calls <= 3 ? json(500, { error: { code: 'INTERNAL', message: 'x' } }) : json(200, page([anEntry()]));
        },
      },
    });
    expect(await screen.findByText('The audit log could not be loaded.', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('Something went wrong on our side. Try again in a moment.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table')).toBeInTheDocument();
  });
});
