import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Counts, Overview } from '../api/get-overview';

// The chart library draws on a canvas, which jsdom has not: what it is asked to draw is recorded.
const drawn = vi.hoisted(() => [] as { series: string[]; data: number[][] }[]);
vi.mock('uplot', () => ({
  default: class {
    constructor(opts: { series: { label?: string }[] }, data: number[][]) {
      drawn.push({ series: opts.series.slice(1).map((s) => s.label ?? ''), data });
    }
    setSize() {}
    destroy() {}
  },
}));

const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'manageDlq'] };

function counts(c: Partial<Counts> = {}): Counts {
  return { sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, dryRun: 0, received: 0, ...c };
}

const none = { whatsapp: counts(), sms: counts(), email: counts() };

function anOverview(overrides: Partial<Overview> = {}): Overview {
  const days = ['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].map((date) => ({
    date,
    channels: none,
  }));
  days[5] = { date: '2026-12-03', channels: { ...none, sms: counts({ sent: 4, failed: 1 }) } };
  days[6] = {
    date: '2026-12-04',
    channels: { whatsapp: counts({ sent: 5, delivered: 4, read: 2, received: 3 }), sms: counts({ sent: 2 }), email: counts({ sent: 1 }) },
  };
  return {
    generatedAt: '2026-12-04T10:15:00.000Z',
    messages: {
      utcOffsetMinutes: 0,
      today: [
        { hour: '2026-12-04T08:00:00.000Z', channels: { ...none, whatsapp: counts({ sent: 2, delivered: 2, received: 1 }) } },
        { hour: '2026-12-04T09:00:00.000Z', channels: none },
        {
          hour: '2026-12-04T10:00:00.000Z',
          channels: { whatsapp: counts({ sent: 3, delivered: 2, read: 2, received: 2 }), sms: counts({ sent: 2 }), email: counts({ sent: 1 }) },
        },
      ],
      days,
      channels: [
        { channel: 'whatsapp', totals: counts({ sent: 5, delivered: 4, read: 2, received: 3 }), reportsStatuses: true, deliveryRate: 0.8, readRate: 0.5 },
        { channel: 'sms', totals: counts({ sent: 6, failed: 1 }), reportsStatuses: false, deliveryRate: null, readRate: null },
        { channel: 'email', totals: counts({ sent: 1 }), reportsStatuses: false, deliveryRate: null, readRate: null },
      ],
    },
    tier: [{ wabaId: '1022', numbers: ['+91 93309 94400', '+91 99033 00044'], used: 12, limit: 250, warnAt: 200 }],
    runningJobs: [
      {
        jobId: 'job-1',
        name: 'Diwali offer',
        channel: 'sms',
        status: 'RUNNING',
        progress: { total: 20, pending: 8, sent: 10, failed: 2, skipped: {}, unknown: 0, cancelled: 0 },
        stalled: false,
        createdAt: '2026-12-04T10:00:00.000Z',
      },
    ],
    deadLetterQueues: null,
    ...overrides,
  };
}

describe('OverviewPage', () => {
  beforeEach(() => {
    drawn.length = 0;
  });

  it('shows today’s messages and draws each hour of today and each day of the week, with the numbers as tables', async () => {
    const { requests } = renderApp({ path: '/overview', as: 'Operator', routes: { 'GET /api/overview': () => json(200, anOverview()) } });
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();
    const today = await screen.findByRole('region', { name: 'Today, all channels' });
    expect(within(today).getByText('Sent').nextSibling).toHaveTextContent('8');
    expect(within(today).getByText('Received').nextSibling).toHaveTextContent('3');

    const hourly = screen.getByRole('figure', { name: 'Messages per hour today, all channels' });
    expect(within(hourly).getByRole('img')).toHaveAccessibleName(
      expect.stringMatching(/^Messages per hour today, all channels: 8 sent, 4 delivered, 2 read, 0 failed, 3 received; the busiest, .+, with 6 sent and 2 received\.$/),
    );
    const table = within(hourly).getByRole('table', { name: 'Messages per hour today, all channels' });
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    const weekly = screen.getByRole('figure', { name: 'Messages per day, last 7 days, all channels' });
    expect(within(weekly).getByRole('list', { name: /totals$/ })).toHaveTextContent('Sent 12');
    expect(within(within(weekly).getByRole('table')).getAllByRole('row')).toHaveLength(8);

    // The library is given the same numbers, a line per status.
    await waitFor(() => expect(drawn).toHaveLength(2));
    expect(drawn[0]?.series).toEqual(['Sent', 'Delivered', 'Read', 'Failed', 'Received']);
    expect(drawn[0]?.data).toEqual([
      [0, 1, 2],
      [2, 0, 6],
      [2, 0, 2],
      [0, 0, 2],
      [0, 0, 0],
      [1, 0, 2],
    ]);
    expect(drawn[1]?.data[1]).toEqual([0, 0, 0, 0, 0, 4, 8]);
    expect(requests.find((r) => r.url.pathname === '/api/overview')?.url.searchParams.get('utcOffsetMinutes')).toMatch(/^-?\d+$/);
  });

  it('shows one channel at a time, keeping the choice in the address', async () => {
    const user = userEvent.setup();
    const { router } = renderApp({ path: '/overview', as: 'Operator', routes: { 'GET /api/overview': () => json(200, anOverview()) } });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    expect(router.state.location.search).toBe('?channel=sms');
    const today = screen.getByRole('region', { name: 'Today, SMS' });
    expect(within(today).getByText('Sent').nextSibling).toHaveTextContent('2');
    const weekly = screen.getByRole('figure', { name: 'Messages per day, last 7 days, SMS' });
    expect(within(weekly).getByRole('img')).toHaveAccessibleName(expect.stringContaining('6 sent, 0 delivered, 0 read, 1 failed, 0 received'));
  });

  it('gives the rates of channels whose statuses arrive, and says why others have none', async () => {
    renderApp({ path: '/overview', as: 'Operator', routes: { 'GET /api/overview': () => json(200, anOverview()) } });
    const rates = await screen.findByRole('region', { name: 'Delivery and read rates, last 7 days' });
    const whatsapp = within(rates).getByRole('heading', { name: 'WhatsApp' }).parentElement as HTMLElement;
    expect(whatsapp).toHaveTextContent('Delivered, of sent80 %');
    expect(whatsapp).toHaveTextContent('Read, of delivered50 %');
    expect(within(rates).getByText(/SMS delivery statuses do not reach the platform, so its rates are not known\. 6 sent, 1 failed\./)).toBeInTheDocument();
  });

  it('shows the tier’s use against its limit, and warns past 80 %', async () => {
    renderApp({
      path: '/overview',
      as: 'Operator',
      routes: { 'GET /api/overview': () => json(200, anOverview({ tier: [{ wabaId: 'w', numbers: ['+91 1'], used: 210, limit: 250, warnAt: 200 }] })) },
    });
    const tier = await screen.findByRole('region', { name: 'WhatsApp messaging tier' });
    expect(within(tier).getByRole('img')).toHaveAccessibleName('210 of 250 business-initiated conversations used in the last 24 hours (40 left)');
    expect(within(tier).getByRole('alert')).toHaveTextContent('Past 200: business-initiated sends are refused at 250.');
  });

  it('lists the jobs sending now with their progress, each linking to its page', async () => {
    renderApp({ path: '/overview', as: 'Operator', routes: { 'GET /api/overview': () => json(200, anOverview()) } });
    const jobs = await screen.findByRole('region', { name: 'Bulk jobs sending now' });
    expect(within(jobs).getByRole('link', { name: 'Diwali offer' })).toHaveAttribute('href', '/bulk/job-1');
    const bar = within(jobs).getByRole('progressbar', { name: 'Progress of Diwali offer' });
    expect(bar).toHaveAttribute('aria-valuenow', '12');
    expect(bar).toHaveAttribute('aria-valuetext', '12 of 20 settled: 10 sent, 2 failed');
  });

  it('shows an Admin how many failed messages wait in each queue, linking to Failed messages', async () => {
    renderApp({
      path: '/overview',
      as: 'Admin',
      routes: {
        'GET /api/me': () => json(200, admin),
        'GET /api/overview': () =>
          json(
            200,
            anOverview({
              deadLetterQueues: [
                { queue: 'inbound-dlq', depth: 2 },
                { queue: 'bulk-dlq', depth: 0 },
                { queue: 'outbound-dlq', depth: null },
              ],
            }),
          ),
      },
    });
    const queues = await screen.findByRole('region', { name: 'Failed messages waiting' });
    const items = within(queues).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Inbound events (inbound-dlq)2 waiting');
    expect(within(items[0] as HTMLElement).getByRole('link')).toHaveAttribute('href', '/failed-messages?queue=inbound-dlq');
    expect(items[2]).toHaveTextContent('not known: the queue did not answer');
  });

  it('shows an Operator no queues, and offers a retry when the overview cannot be loaded', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderApp({
      path: '/overview',
      as: 'Operator',
      routes: {
        'GET /api/overview': () => {
          calls += 1;
          return calls === 1 ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : json(200, anOverview({ runningJobs: [] }));
        },
      },
    });
    expect(await screen.findByText('The overview could not be loaded.')).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this action.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/No bulk job is sending right now/)).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Failed messages waiting' })).not.toBeInTheDocument();
  });

  it('is the home of Operators and Admins, and a Viewer’s home stays the contacts', async () => {
    const operator = renderApp({ path: '/', as: 'Operator', routes: { 'GET /api/overview': () => json(200, anOverview()) } });
    await waitFor(() => expect(operator.router.state.location.pathname).toBe('/overview'));
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getAllByRole('link')[0]).toHaveTextContent('Overview');
    operator.unmount();
    localStorage.clear();
    const viewer = renderApp({ path: '/', as: 'Viewer', routes: { 'GET /api/contacts': () => json(200, { items: [], nextCursor: null }) } });
    await waitFor(() => expect(viewer.router.state.location.pathname).toBe('/contacts'));
  });
});
