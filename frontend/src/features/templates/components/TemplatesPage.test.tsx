import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { aTemplate, sendersPage, templateCatalogue, wecareSenders, type TestRole } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import { IN_REVIEW_POLL_MS, type TemplateEntry } from '@/lib/whatsapp-templates';
import { usageColumns } from './UsageChart';

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const catalogue: TemplateEntry[] = [
  aTemplate({ name: 'order_update' }),
  aTemplate({ name: 'diwali_offer', category: 'MARKETING', status: 'APPROVED' }),
  aTemplate({ name: 'autumn_promo', category: 'MARKETING', status: 'REJECTED', rejectedReason: 'PROMOTIONAL' }),
  aTemplate({ name: 'login_code', category: 'AUTHENTICATION', status: 'PENDING', body: 'Your code is {{1}}. Do not share it.' }),
  aTemplate({ name: 'old_notice', status: 'PAUSED' }),
];

function renderTemplates({
  as = 'Admin',
  items = catalogue,
  path = '/templates',
  routes = {},
}: { as?: TestRole; items?: TemplateEntry[] | Handler; path?: string; routes?: Record<string, Handler> } = {}) {
  return renderApp({
    path,
    as,
    routes: {
      'GET /api/senders': () => json(200, sendersPage()),
      'GET /api/whatsapp/templates': typeof items === 'function' ? items : () => json(200, templateCatalogue(items, minutesAgo(5))),
      'GET /api/whatsapp/template-usage': () =>
        json(200, {
          days: [
            { day: day(1), category: 'MARKETING', count: 120 },
            { day: day(1), category: 'UTILITY', count: 30 },
            { day: day(0), category: 'UTILITY', count: 12 },
            { day: day(3), category: 'AUTHENTICATION', count: 4 },
          ],
        }),
      ...routes,
    },
  });
}

const table = () => screen.findByRole('table', { name: /WhatsApp templates/ });
const names = (t: HTMLElement) => within(t).getAllByRole('rowheader').map((h) => h.querySelector('.templates-table__name')?.textContent);

describe('TemplatesPage', () => {
  it('reads the catalogue again while a template is in review, so its approval shows without a reload', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let reads = 0;
      renderTemplates({
        items: () => {
          reads += 1;
          const status = reads === 1 ? 'PENDING' : 'APPROVED';
          return json(200, templateCatalogue([aTemplate({ name: 'spring_sale', status })], minutesAgo(1)));
        },
      });
      const row = within(await table()).getByRole('row', { name: /spring_sale/ });
      expect(row).toHaveTextContent('In review');
      await vi.advanceTimersByTimeAsync(IN_REVIEW_POLL_MS + 100);
      await waitFor(() => expect(within(screen.getByRole('row', { name: /spring_sale/ })).getByText('Approved')).toBeInTheDocument());
      const after = reads;
      // Nothing in review any more: no further reads.
      await vi.advanceTimersByTimeAsync(3 * IN_REVIEW_POLL_MS);
      expect(reads).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the catalogue by name with category, language and a status badge, and when it was synced', async () => {
    const { requests } = renderTemplates({ as: 'Viewer' });
    const t = await table();
    expect(names(t)).toEqual(['autumn_promo', 'diwali_offer', 'login_code', 'old_notice', 'order_update']);
    const promo = within(t).getByRole('row', { name: /autumn_promo/ });
    expect(promo).toHaveTextContent('Marketing');
    expect(promo).toHaveTextContent('en_US');
    expect(within(promo).getByText('Rejected')).toHaveClass('status-badge--danger');
    expect(promo).toHaveTextContent('WhatsApp rejected it: promotional.');
    expect(within(t).getByRole('row', { name: /login_code/ })).toHaveTextContent('In review');
    expect(screen.getByText('5 templates.')).toBeInTheDocument();
    expect(screen.getByText(/Synced with WhatsApp/)).toHaveTextContent('Synced with WhatsApp 5 minutes ago.');
    expect(screen.getByRole('heading', { level: 1, name: 'Templates' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Templates');
    // The organisation has two WhatsApp numbers: the catalogue is the chosen one's.
    expect(screen.getByRole('combobox', { name: 'WhatsApp number' })).toHaveValue(wecareSenders.whatsapp.senderId);
    expect(requests.find((r) => r.url.pathname === '/api/whatsapp/templates')?.url.search).toBe('');
  });

  it('draws template messages per day by category, with the totals in numbers', async () => {
    renderTemplates({ as: 'Viewer' });
    const chart = await screen.findByRole('img', { name: /^Template messages per day, last 30 days: 166 messages in total/ });
    expect(chart).toHaveAccessibleName(
      expect.stringContaining('Marketing 120, Utility 42, Authentication 4; the most on') as string,
    );
    const totals = screen.getByRole('list', { name: 'Totals' });
    expect(totals).toHaveTextContent('Marketing: 120');
    expect(totals).toHaveTextContent('Utility: 42');
    expect(totals).toHaveTextContent('Authentication: 4');
    expect(within(screen.getByRole('table', { name: /Template messages per day/ })).getAllByRole('row')).toHaveLength(31);
  });

  it('fills the days nothing was sent as zero, up to today', () => {
    const now = Date.parse('2026-11-20T15:00:00Z');
    const { columns, series } = usageColumns([{ day: '2026-11-18', category: 'UTILITY', count: 3 }, { day: '2026-11-18', category: 'SERVICE', count: 1 }], 3, now);
    expect(columns.map((c) => c.key)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    expect(columns[0]?.values).toEqual({ UTILITY: 3, SERVICE: 1 });
    expect(columns[1]?.values).toEqual({});
    expect(series.map((s) => s.label)).toEqual(['Marketing', 'Utility', 'Authentication', 'Service']);
  });

  it('filters by status and category and searches by name, keeping them in the address', async () => {
    const user = userEvent.setup();
    const { router } = renderTemplates({ as: 'Operator' });
    await table();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Category' }), 'MARKETING');
    expect(names(await table())).toEqual(['autumn_promo', 'diwali_offer']);
    expect(screen.getByText('2 of 5 templates match.')).toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'APPROVED');
    expect(names(await table())).toEqual(['diwali_offer']);
    expect(router.state.location.search).toBe('?category=MARKETING&status=APPROVED');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Category' }), '');
    await user.type(screen.getByRole('searchbox', { name: 'Search by name' }), 'ORDER');
    expect(names(await table())).toEqual(['order_update']);
    await user.type(screen.getByRole('searchbox', { name: 'Search by name' }), 'x');
    expect(screen.getByText('No template matches these filters.')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Show all templates' }));
    expect(names(await table())).toHaveLength(5);
  });

  it('pages the catalogue 25 at a time', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 30 }, (_, i) => aTemplate({ name: `notice_${String(i + 1).padStart(2, '0')}` }));
    const { router } = renderTemplates({ as: 'Viewer', items: many });
    expect(within(await table()).getAllByRole('rowheader')).toHaveLength(25);
    const pages = screen.getByRole('navigation', { name: 'Pages of templates' });
    expect(pages).toHaveTextContent('Page 1 of 2 (1–25 of 30)');
    expect(within(pages).getByRole('button', { name: 'Previous' })).toBeDisabled();
    await user.click(within(pages).getByRole('button', { name: 'Next' }));
    expect(names(await table())).toEqual(['notice_26', 'notice_27', 'notice_28', 'notice_29', 'notice_30']);
    expect(router.state.location.search).toBe('?page=2');
    expect(screen.getByRole('navigation', { name: 'Pages of templates' })).toHaveTextContent('Page 2 of 2 (26–30 of 30)');
    // A filter starts again from the first page.
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'APPROVED');
    expect(router.state.location.search).toBe('?status=APPROVED');
  });

  it('shows Admins their actions: new template, the library, delete', async () => {
    renderTemplates({ as: 'Admin' });
    await table();
    expect(screen.getByRole('link', { name: 'New template' })).toHaveAttribute('href', '/templates/new');
    expect(screen.getByRole('link', { name: 'Template library' })).toHaveAttribute('href', '/templates/library');
    expect(screen.getByRole('button', { name: 'Delete order_update (en_US)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sync' })).toBeInTheDocument();
  });

  it('lets an Operator sync but not create or delete, and a Viewer only read', async () => {
    renderTemplates({ as: 'Operator' });
    await table();
    expect(screen.getByRole('button', { name: 'Sync' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New template' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Template library' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
  });

  it('gives a Viewer no Sync button', async () => {
    renderTemplates({ as: 'Viewer' });
    await table();
    expect(screen.queryByRole('button', { name: 'Sync' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New template' })).not.toBeInTheDocument();
  });

  it('syncs with WhatsApp and shows the refreshed catalogue', async () => {
    const user = userEvent.setup();
    let synced = false;
    const { requests } = renderTemplates({
      as: 'Operator',
      path: `/templates?sender=${wecareSenders.whatsappOther.senderId}`,
      items: () =>
        json(200, templateCatalogue(synced ? [...catalogue, aTemplate({ name: 'zz_new_one' })] : catalogue, synced ? minutesAgo(0) : null)),
      routes: {
        'POST /api/whatsapp/templates/sync': () => {
          synced = true;
          return json(200, { syncedAt: new Date().toISOString(), count: 6 });
        },
      },
    });
    expect(await screen.findByText(/Never synced with WhatsApp/)).toHaveTextContent(
      'Never synced with WhatsApp: press Sync to fetch the templates made in WhatsApp Manager.',
    );
    await user.click(screen.getByRole('button', { name: 'Sync' }));
    expect(await screen.findByText('Synced: 6 templates in the business account.')).toBeInTheDocument();
    expect(requests.find((r) => r.url.pathname === '/api/whatsapp/templates/sync')?.body).toEqual({ sender: wecareSenders.whatsappOther.senderId });
    expect(await screen.findByText('zz_new_one')).toBeInTheDocument();
    expect(screen.getByText(/Synced with WhatsApp/)).toHaveTextContent('Synced with WhatsApp just now.');
  });

  it('says why a sync failed and keeps the list', async () => {
    const user = userEvent.setup();
    renderTemplates({
      as: 'Admin',
      routes: { 'POST /api/whatsapp/templates/sync': () => json(502, { error: { code: 'PROVIDER_ERROR', message: 'WhatsApp did not answer; try again in a minute' } }) },
    });
    await table();
    await user.click(screen.getByRole('button', { name: 'Sync' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The templates could not be synced.');
    expect(alert).toHaveTextContent('WhatsApp did not answer; try again in a minute The list below is the one from the last sync.');
    expect(names(await table())).toHaveLength(5);
  });

  it('deletes a template only once confirmed', async () => {
    const user = userEvent.setup();
    let deleted = false;
    const { requests } = renderTemplates({
      as: 'Admin',
      path: `/templates?sender=${wecareSenders.whatsapp.senderId}`,
      items: () => json(200, templateCatalogue(deleted ? catalogue.filter((t) => t.name !== 'old_notice') : catalogue, minutesAgo(5))),
      routes: {
        'DELETE /api/whatsapp/templates/old_notice': () => {
          deleted = true;
          return new Response(null, { status: 204 });
        },
      },
    });
    await table();
    await user.click(screen.getByRole('button', { name: 'Delete old_notice (en_US)' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete “old_notice” (en_US)?' });
    expect(dialog).toHaveTextContent('a new template cannot take its name for 30 days');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Delete old_notice (en_US)' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete template' }));
    expect(await screen.findByText('“old_notice” (en_US) was deleted.')).toBeInTheDocument();
    const request = requests.find((r) => r.method === 'DELETE');
    expect(request?.url.pathname).toBe('/api/whatsapp/templates/old_notice');
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ language: 'en_US', sender: wecareSenders.whatsapp.senderId });
    await waitFor(() => expect(names(screen.getByRole('table', { name: /WhatsApp templates/ }))).not.toContain('old_notice'));
  });

  it('says in the dialog when a delete is refused', async () => {
    const user = userEvent.setup();
    renderTemplates({
      as: 'Admin',
      routes: { 'DELETE /api/whatsapp/templates/order_update': () => json(403, { error: { code: 'FORBIDDEN', message: 'Admins only' } }) },
    });
    await table();
    await user.click(screen.getByRole('button', { name: 'Delete order_update (en_US)' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete template' }));
    expect(await within(screen.getByRole('dialog')).findByText('Your role does not allow this action. It was not deleted.')).toBeInTheDocument();
  });

  it('says what to do next when there are no templates, by role', async () => {
    renderTemplates({ as: 'Admin', items: [] });
    expect(await screen.findByText('No templates yet.')).toBeInTheDocument();
    expect(screen.getByText(/Create one with “New template”, copy one from the template library/)).toBeInTheDocument();
  });

  it('offers a retry when the catalogue cannot be loaded', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderTemplates({
      as: 'Viewer',
      items: () => {
        calls += 1;
        return calls === 1 ? json(404, { error: { code: 'NOT_FOUND', message: 'no WhatsApp number' } }) : json(200, templateCatalogue([]));
      },
    });
    expect(await screen.findByText('The templates could not be loaded.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Ask an Admin to create or sync the templates.')).toBeInTheDocument();
  });
});
