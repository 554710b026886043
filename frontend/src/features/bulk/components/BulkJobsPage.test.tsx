import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { aJob } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Job } from '../api/bulk-job';

const page = (items: Job[], nextCursor: string | null = null) => ({ items, nextCursor });

describe('BulkJobsPage', () => {
  it('lists jobs newest first with their status, progress and counts, and links to each', async () => {
    const running = aJob({ name: 'Diwali offer', status: 'RUNNING', progress: { total: 10, pending: 5, sent: 4, failed: 1, skipped: {}, unknown: 0, cancelled: 0 } });
    const done = aJob({ name: null, channel: 'whatsapp', status: 'COMPLETED_WITH_FAILURES', stalled: false });
    const { requests } = renderApp({
      path: '/bulk',
      as: 'Operator',
      routes: { 'GET /api/bulk-jobs': () => json(200, page([running, done])) },
    });
    const list = await screen.findByRole('list', { name: 'Bulk jobs, newest first' });
    const rows = within(list).getAllByRole('link');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Diwali offer');
    expect(rows[0]).toHaveTextContent('Sending');
    expect(rows[0]).toHaveTextContent('5 of 10 settled · 4 sent · 1 failed');
    expect(rows[0]).toHaveAttribute('href', `/bulk/${running.jobId}`);
    expect(within(rows[0] as HTMLElement).getByRole('progressbar', { name: 'Progress of Diwali offer' })).toHaveAttribute('aria-valuenow', '5');
    expect(rows[1]).toHaveTextContent(/WhatsApp job of/);
    expect(rows[1]).toHaveTextContent('Completed with failures');
    expect(screen.getByRole('heading', { level: 1, name: 'Bulk messaging' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'New bulk job' })).toHaveAttribute('href', '/bulk/new');
    expect(requests.find((r) => r.url.pathname === '/api/bulk-jobs')?.url.search).toBe('?limit=25');
  });

  it('filters by status, keeping the filter in the address', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderApp({
      path: '/bulk',
      as: 'Operator',
      routes: {
        'GET /api/bulk-jobs': (r) =>
          json(200, page(r.url.searchParams.get('status') === 'PAUSED' ? [aJob({ name: 'Held', status: 'PAUSED' })] : [aJob({ name: 'Any' })])),
      },
    });
    await screen.findByText('Any');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'PAUSED');
    expect(await screen.findByRole('list', { name: 'Bulk jobs paused, newest first' })).toHaveTextContent('Held');
    expect(router.state.location.search).toBe('?status=PAUSED');
    expect(requests.filter((r) => r.url.pathname === '/api/bulk-jobs').map((r) => r.url.searchParams.get('status'))).toContain('PAUSED');
  });

  it('loads older jobs with the cursor', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/bulk',
      as: 'Operator',
      routes: {
        'GET /api/bulk-jobs': (r) =>
          r.url.searchParams.get('cursor') === 'p2'
            ? json(200, page([aJob({ name: 'Older', status: 'COMPLETED' })]))
            : json(200, page([aJob({ name: 'Newer', status: 'COMPLETED' })], 'p2')),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Older')).toBeInTheDocument();
    expect(screen.getByText('Newer')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('shows a Viewer the jobs but no "New bulk job"', async () => {
    renderApp({ path: '/bulk', as: 'Viewer', routes: { 'GET /api/bulk-jobs': () => json(200, page([aJob({ name: 'Seen' })])) } });
    expect(await screen.findByText('Seen')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New bulk job' })).not.toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Bulk Messaging');
  });

  it('says when there are none, and offers a retry when the list cannot load', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderApp({
      path: '/bulk',
      as: 'Operator',
      routes: {
        'GET /api/bulk-jobs': () => {
          calls += 1;
          return calls === 1 ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : json(200, page([]));
        },
      },
    });
    expect(await screen.findByText('Your role does not allow this action.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByText('No bulk jobs yet.')).toBeInTheDocument());
    expect(screen.getByText('Start one with “New bulk job”.')).toBeInTheDocument();
  });
});
