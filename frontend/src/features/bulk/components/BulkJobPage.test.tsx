import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { aJob, sendersPage } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Job } from '../api/bulk-job';

function routesFor(job: Job, extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    [`GET /api/bulk-jobs/${job.jobId}`]: () =>
      json(200, {
        job,
        ratePerSecond: 18.5,
        etaSeconds: 12,
        series: [
          { at: '2026-11-20T10:00:00Z', sent: 18, failed: 0 },
          { at: '2026-11-20T10:00:01Z', sent: 19, failed: 1 },
        ],
      }),
    [`GET /api/bulk-jobs/${job.jobId}/recipients`]: () => json(200, { items: [], nextCursor: null }),
    'GET /api/senders': () => json(200, sendersPage()),
    ...extra,
  };
}

describe('BulkJobPage', () => {
  it('shows the progress in numbers and as a bar, the time left, the rate chart and the failed recipients', async () => {
    const job = aJob({
      name: 'Diwali offer',
      status: 'RUNNING',
      progress: { total: 100, pending: 40, sent: 50, failed: 3, skipped: { opted_out_by_keyword: 2 }, unknown: 1, cancelled: 4 },
      excluded: { not_opted_in: 7 },
    });
    renderApp({
      path: `/bulk/${job.jobId}`,
      as: 'Operator',
      routes: routesFor(job, {
        [`GET /api/bulk-jobs/${job.jobId}/recipients`]: (r) =>
          json(200, {
            items:
              r.url.searchParams.get('status') === 'failed'
                ? [{ contactId: 'c-1', status: 'failed', reason: 'ValidationException', address: '+91••••••3210', settledAt: '2026-11-20T10:00:01Z' }]
                : [],
            nextCursor: null,
          }),
      }),
    });
    expect(await screen.findByRole('heading', { level: 1, name: /Diwali offer/ })).toHaveTextContent('Sending');
    const bar = screen.getByRole('progressbar', { name: 'Job progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '60');
    expect(bar).toHaveAttribute('aria-valuemax', '100');
    expect(bar).toHaveAttribute('aria-valuetext', '60 of 100 settled (60 %)');
    const counts = screen.getByRole('region', { name: 'Progress' });
    for (const [label, value] of [
      ['Sent', '50'],
      ['Failed', '3'],
      ['Skipped', '2'],
      ['Delivery unknown', '1'],
      ['Cancelled', '4'],
      ['Pending', '40'],
    ] as const) {
      expect(within(counts).getByText(label).closest('div')).toHaveTextContent(`${label}${value}`);
    }
    expect(counts).toHaveTextContent('About 12 seconds left at 19 messages per second.');
    expect(counts).toHaveTextContent('Opted out by keyword (STOP): 2');
    expect(counts).toHaveTextContent('Not opted in: 7');
    expect(screen.getByRole('img', { name: /^Messages per second: peak 20 per second/ })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Recipients failed' });
    expect(within(table).getByRole('link', { name: '+91••••••3210' })).toHaveAttribute('href', '/contacts/c-1');
    expect(table).toHaveTextContent('ValidationException');
    expect(screen.getByRole('region', { name: 'About this job' })).toHaveTextContent('WECARE SMS pool');
  });

  it('offers Pause and Cancel while running, Resume and Cancel while paused, nothing once finished', async () => {
    for (const [status, buttons] of [
      ['RUNNING', ['Pause', 'Cancel job']],
      ['PENDING', ['Pause', 'Cancel job']],
      ['PAUSED', ['Resume', 'Cancel job']],
      ['COMPLETED', []],
      ['CANCELLED', []],
    ] as const) {
      const job = aJob({ status });
      const view = renderApp({ path: `/bulk/${job.jobId}`, as: 'Operator', routes: routesFor(job) });
      await screen.findByRole('heading', { level: 1 });
      const group = screen.queryByRole('group', { name: 'Job controls' });
      expect(group ? within(group).getAllByRole('button').map((b) => b.textContent) : []).toEqual(buttons);
      view.unmount();
      localStorage.clear();
    }
  });

  it('gives a Viewer no controls', async () => {
    const job = aJob({ status: 'PAUSED' });
    renderApp({ path: `/bulk/${job.jobId}`, as: 'Viewer', routes: routesFor(job) });
    await screen.findByRole('heading', { level: 1 });
    expect(screen.queryByRole('group', { name: 'Job controls' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Pause|Resume|Cancel/ })).not.toBeInTheDocument();
  });

  it('pauses at once, and cancels only after the dialog is confirmed', async () => {
    const user = userEvent.setup();
    let job = aJob({ status: 'RUNNING' });
    const { requests } = renderApp({
      path: `/bulk/${job.jobId}`,
      as: 'Operator',
      routes: routesFor(job, {
        [`GET /api/bulk-jobs/${job.jobId}`]: () => json(200, { job, series: [] }),
        [`POST /api/bulk-jobs/${job.jobId}/pause`]: () => {
          job = { ...job, status: 'PAUSED' };
          return json(200, { job });
        },
        [`POST /api/bulk-jobs/${job.jobId}/cancel`]: () => {
          job = { ...job, status: 'CANCELLED', progress: { ...job.progress, pending: 0, cancelled: job.progress.pending } };
          return json(200, { job });
        },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Paused');

    await user.click(screen.getByRole('button', { name: 'Cancel job' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel this job?' });
    expect(dialog).toHaveTextContent('6 recipients not reached yet will not get this message.');
    await user.click(within(dialog).getByRole('button', { name: 'Keep the job' }));
    expect(requests.some((r) => r.url.pathname.endsWith('/cancel'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Cancel job' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Cancel this job?' })).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Cancelled'));
    expect(screen.queryByRole('group', { name: 'Job controls' })).not.toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.url.pathname.split('/').pop())).toEqual(['pause', 'cancel']);
  });

  it('explains a control the job no longer allows, and shows where it stands', async () => {
    const user = userEvent.setup();
    let job = aJob({ status: 'RUNNING' });
    renderApp({
      path: `/bulk/${job.jobId}`,
      as: 'Operator',
      routes: routesFor(job, {
        [`GET /api/bulk-jobs/${job.jobId}`]: () => json(200, { job, series: [] }),
        [`POST /api/bulk-jobs/${job.jobId}/pause`]: () => {
          job = { ...job, status: 'COMPLETED', progress: { ...job.progress, pending: 0, sent: 10 } };
          return json(409, { error: { code: 'CONFLICT', message: 'a COMPLETED job cannot be paused' } });
        },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The job was not changed.');
    expect(alert).toHaveTextContent('a COMPLETED job cannot be paused. The page now shows where the job stands.');
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Completed'));
  });

  it('offers the report once it is ready, and warns about a stalled job', async () => {
    const done = aJob({
      status: 'COMPLETED',
      reportReady: true,
      finishedAt: '2026-11-20T10:10:00Z',
      progress: { total: 10, pending: 0, sent: 10, failed: 0, skipped: {}, unknown: 0, cancelled: 0 },
    });
    const view = renderApp({
      path: `/bulk/${done.jobId}`,
      as: 'Viewer',
      routes: routesFor(done, {
        [`GET /api/bulk-jobs/${done.jobId}/report`]: () => json(200, { url: 'https://reports.test/r.csv?sig=1', expiresAt: '2099-01-01T00:00:00Z' }),
      }),
    });
    expect(await screen.findByRole('link', { name: 'Download report (CSV)' })).toHaveAttribute('href', 'https://reports.test/r.csv?sig=1');
    expect(screen.getByText(/^Finished/)).toBeInTheDocument();
    view.unmount();
    localStorage.clear();

    const stuck = aJob({ status: 'RUNNING', stalled: true });
    renderApp({ path: `/bulk/${stuck.jobId}`, as: 'Operator', routes: routesFor(stuck) });
    expect(await screen.findByText('This job has stopped making progress.')).toBeInTheDocument();
    expect(screen.getByText(/Try pausing and resuming it/)).toBeInTheDocument();
    expect(screen.getByText(/The report .* is ready once the job has finished/)).toBeInTheDocument();
  });

  it('says a job waits for quiet hours to end, and when sending resumes, instead of calling it stalled', async () => {
    const held = aJob({ status: 'RUNNING', quietUntil: '2026-11-21T02:30:00Z' });
    renderApp({ path: `/bulk/${held.jobId}`, as: 'Operator', routes: routesFor(held) });
    const waiting = (await screen.findByText('Waiting for quiet hours to end.')).closest('[role="status"]');
    expect(waiting).toHaveTextContent(/Sending resumes by itself at/);
    expect(waiting?.querySelector('time')).toHaveAttribute('dateTime', '2026-11-21T02:30:00Z');
    expect(screen.queryByText('This job has stopped making progress.')).not.toBeInTheDocument();
  });

  it('polls every second while the job runs, and stops once it has finished', async () => {
    let job = aJob({ status: 'RUNNING' });
    let polls = 0;
    renderApp({
      path: `/bulk/${job.jobId}`,
      as: 'Operator',
      routes: routesFor(job, {
        [`GET /api/bulk-jobs/${job.jobId}`]: () => {
          polls += 1;
          if (polls === 2) job = { ...job, status: 'COMPLETED', progress: { ...job.progress, pending: 0, sent: 10 }, reportReady: true };
          return json(200, { job, series: [] });
        },
      }),
    });
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Completed'), { timeout: 3000 });
    const after = polls;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(polls).toBe(after);
  });

  it('keeps watching a cancelled job until its last recipients are set aside and its report is written', async () => {
    const user = userEvent.setup();
    let job = aJob({ status: 'RUNNING', progress: { total: 10, pending: 6, sent: 4, failed: 0, skipped: {}, unknown: 0, cancelled: 0 } });
    let afterCancel = 0;
    renderApp({
      path: `/bulk/${job.jobId}`,
      as: 'Operator',
      routes: routesFor(job, {
        [`GET /api/bulk-jobs/${job.jobId}`]: () => {
          if (job.status === 'CANCELLED') {
            afterCancel += 1;
            // The sweep runs a moment after the cancel; the report follows.
            if (afterCancel === 2) job = { ...job, progress: { ...job.progress, pending: 0, cancelled: 6 }, finishedAt: new Date().toISOString(), reportReady: true };
          }
          return json(200, { job, series: [] });
        },
        [`POST /api/bulk-jobs/${job.jobId}/cancel`]: () => {
          job = { ...job, status: 'CANCELLED', updatedAt: new Date().toISOString() };
          return json(200, { job });
        },
        [`GET /api/bulk-jobs/${job.jobId}/report`]: () => json(200, { url: 'https://reports.test/r.csv', expiresAt: '2099-01-01T00:00:00Z' }),
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('Setting aside the recipients not reached yet…')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Download report (CSV)' }, { timeout: 6000 })).toBeInTheDocument();
    const counts = screen.getByRole('region', { name: 'Progress' });
    expect(within(counts).getByText('Cancelled').closest('div')).toHaveTextContent('Cancelled6');
  });

  it('says when the job does not exist', async () => {
    renderApp({
      path: '/bulk/nope',
      as: 'Operator',
      routes: { 'GET /api/bulk-jobs/nope': () => json(404, { error: { code: 'NOT_FOUND', message: 'job not found' } }) },
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Bulk job not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'See all bulk jobs' })).toHaveAttribute('href', '/bulk');
  });
});
