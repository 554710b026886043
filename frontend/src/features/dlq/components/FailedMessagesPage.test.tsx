import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { DeadLetter } from '../api/dead-letter';

const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'manageDlq', 'readAudit', 'manageConfig'] };

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    messageId: 'sns-1',
    kind: 'sns-notification',
    summary: { messageType: 'image', sender: '+919811100001', textPreview: 'my receipt', messages: 1 },
    firstFailedAt: '2026-12-02T03:30:43.271Z',
    error: null,
    attempts: 0,
    state: 'pending',
    lastError: null,
    lastAttemptAt: null,
    replayedAt: null,
    copies: 1,
    ...overrides,
  };
}

const listing = (queue: string, items: DeadLetter[], complete = true) => json(200, { queue, items, complete });

/** Every queue empty unless said otherwise. */
function routes(overrides: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/me': () => json(200, admin),
    'GET /api/dlq/inbound-dlq': () => listing('inbound-dlq', []),
    'GET /api/dlq/bulk-dlq': () => listing('bulk-dlq', []),
    'GET /api/dlq/outbound-dlq': () => listing('outbound-dlq', []),
    ...overrides,
  };
}

describe('FailedMessagesPage', () => {
  it('shows each queue with how many of the tenant’s messages wait there, and what each message is about', async () => {
    const { requests } = renderApp({
      path: '/failed-messages',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/inbound-dlq': () =>
          listing('inbound-dlq', [
            letter(),
            letter({ messageId: 'sns-2', kind: 'lambda-on-failure', summary: { messageType: 'text', sender: '+919811100002', textPreview: 'where is my order?' }, error: 'RetriesExhausted after 3 invocations: 1 of 1 records failed', attempts: 2, lastError: 'media could not be copied' }),
            letter({ messageId: 'sns-3', state: 'abandoned', attempts: 5, lastError: 'media media-x could not be copied' }),
          ]),
        'GET /api/dlq/bulk-dlq': () =>
          listing('bulk-dlq', Array.from({ length: 100 }, (_, i) => letter({ messageId: `b-${i}`, kind: 'chunk', summary: { jobId: 'job-1', work: 'chunk', recipients: 20 } })), false),
      }),
    });
    const tabs = await screen.findByRole('navigation', { name: 'Dead-letter queues' });
    await waitFor(() => expect(within(tabs).getByRole('link', { name: /Inbound/ })).toHaveTextContent('3 messages'));
    expect(within(tabs).getByRole('link', { name: /Inbound/ })).toHaveAttribute('aria-current', 'page');
    await waitFor(() => expect(within(tabs).getByRole('link', { name: /Bulk/ })).toHaveTextContent('100+ messages'));
    await waitFor(() => expect(within(tabs).getByRole('link', { name: /Outbound/ })).toHaveTextContent('0 messages'));

    const table = screen.getByRole('table', { name: 'Failed messages in inbound-dlq' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Photo from +919811100001');
    expect(rows[0]).toHaveTextContent('“my receipt”');
    expect(rows[0]).toHaveTextContent('0 of 5');
    expect(rows[0]).toHaveTextContent('Waiting');
    expect(rows[1]).toHaveTextContent('RetriesExhausted after 3 invocations');
    expect(rows[1]).toHaveTextContent('3 attempts left; the last failed: media could not be copied');
    expect(rows[2]).toHaveTextContent('Abandoned');
    expect(rows[2]).toHaveTextContent('Last error: media media-x could not be copied');
    expect(within(rows[2] as HTMLElement).queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.getByText(/One replay takes at most 100 messages/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Failed messages' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Failed messages');
    // Each queue is looked at once.
    expect(requests.filter((r) => r.url.pathname.startsWith('/api/dlq/')).map((r) => r.url.pathname).sort()).toEqual([
      '/api/dlq/bulk-dlq',
      '/api/dlq/inbound-dlq',
      '/api/dlq/outbound-dlq',
    ]);
  });

  it('links bulk work to its job and a failed send to its contact, and says when a queue holds more than it shows', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/failed-messages?queue=bulk-dlq',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/bulk-dlq': () => listing('bulk-dlq', [letter({ messageId: 'b-1', kind: 'chunk', summary: { jobId: 'job-1', work: 'chunk', recipients: 20 } })], false),
        'GET /api/dlq/outbound-dlq': () =>
          listing('outbound-dlq', [letter({ messageId: 'o-1', kind: 'send', summary: { contactId: 'c-9', channel: 'whatsapp', purpose: 'opt_out_confirmation' }, error: 'DynamoDB UpdateItem failed' })]),
      }),
    });
    const table = await screen.findByRole('table', { name: 'Failed messages in bulk-dlq' });
    expect(within(table).getByText('A chunk of 20 recipients')).toBeInTheDocument();
    expect(within(table).getByRole('link', { name: 'Open the job' })).toHaveAttribute('href', '/bulk/job-1');
    expect(screen.getByText(/The queue holds more than one look takes in/)).toBeInTheDocument();

    await user.click(within(screen.getByRole('navigation', { name: 'Dead-letter queues' })).getByRole('link', { name: /Outbound/ }));
    const sends = await screen.findByRole('table', { name: 'Failed messages in outbound-dlq' });
    expect(within(sends).getByText('STOP confirmation on WhatsApp')).toBeInTheDocument();
    expect(within(sends).getByText('DynamoDB UpdateItem failed')).toBeInTheDocument();
    expect(within(sends).getByRole('link', { name: 'Open the contact' })).toHaveAttribute('href', '/contacts/c-9');
  });

  it('replays the selected messages after a confirmation and lists each one’s outcome', async () => {
    const user = userEvent.setup();
    let replayed = false;
    const { requests } = renderApp({
      path: '/failed-messages',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/inbound-dlq': () =>
          listing('inbound-dlq', replayed ? [letter({ messageId: 'sns-2', summary: { messageType: 'text', sender: '+2' }, attempts: 1, lastError: 'boom' })] : [letter(), letter({ messageId: 'sns-2', summary: { messageType: 'text', sender: '+2' } }), letter({ messageId: 'sns-3', summary: { messageType: 'text', sender: '+3' } })]),
        'POST /api/dlq/inbound-dlq/replay': () => {
          replayed = true;
          return json(200, {
            queue: 'inbound-dlq',
            complete: true,
            results: [
              { messageId: 'sns-1', outcome: 'replayed', state: 'replayed', attempts: 1, detail: 'processed by the inbound handler' },
              { messageId: 'sns-2', outcome: 'failed', state: 'pending', attempts: 1, error: 'media m-2 could not be copied' },
            ],
          });
        },
      }),
    });
    const table = await screen.findByRole('table', { name: 'Failed messages in inbound-dlq' });
    const replaySelected = screen.getByRole('button', { name: 'Replay selected' });
    expect(replaySelected).toBeDisabled();
    await user.click(within(table).getByRole('checkbox', { name: 'Select: Photo from +919811100001' }));
    await user.click(within(table).getByRole('checkbox', { name: 'Select: Text message from +2' }));
    expect(screen.getByRole('status')).toHaveTextContent('3 messages in inbound-dlq, 2 selected.');
    await user.click(screen.getByRole('button', { name: 'Replay selected (2)' }));

    const dialog = screen.getByRole('dialog', { name: 'Replay 2 messages from inbound-dlq?' });
    expect(dialog).toHaveTextContent('after 5 it is abandoned');
    await user.click(within(dialog).getByRole('button', { name: 'Replay' }));

    const results = await screen.findByRole('region', { name: 'Replay results' });
    expect(within(results).getByRole('alert')).toHaveTextContent('1 replayed, 1 failed.');
    const outcomes = within(within(results).getByRole('list', { name: 'Outcome of each message' })).getAllByRole('listitem');
    expect(outcomes[0]).toHaveTextContent('Replayed');
    expect(outcomes[0]).toHaveTextContent('Photo from +919811100001');
    expect(outcomes[0]).toHaveTextContent('Processed by the inbound handler. It has left the queue.');
    expect(outcomes[1]).toHaveTextContent('media m-2 could not be copied. It stays in the queue (attempt 1 of 5): fix the cause, then replay it again.');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ messageIds: ['sns-1', 'sns-2'] });
    await waitFor(() => expect(results).toHaveFocus());
    // The list is looked at again: what was replayed is gone.
    await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2));
    expect(screen.getByRole('button', { name: 'Replay selected' })).toBeDisabled();
  });

  it('replays everything with “Replay all”, and says why nothing was replayed when the request is refused', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const { requests } = renderApp({
      path: '/failed-messages',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/inbound-dlq': () => listing('inbound-dlq', [letter()]),
        'POST /api/dlq/inbound-dlq/replay': () => {
          calls += 1;
          return calls === 1
            ? json(500, { error: { code: 'INTERNAL', message: 'internal error' } })
            : json(200, { queue: 'inbound-dlq', complete: false, results: [{ messageId: 'sns-1', outcome: 'abandoned', state: 'abandoned', attempts: 5, error: 'boom' }] });
        },
      }),
    });
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Replay all' }));
    const dialog = screen.getByRole('dialog', { name: 'Replay every message in inbound-dlq?' });
    expect(dialog).toHaveTextContent('Up to 100 of your messages in inbound-dlq');
    await user.click(within(dialog).getByRole('button', { name: 'Replay all' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Something went wrong on our side. Try again in a moment. Nothing was replayed by this request: check the list, then try again.',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Replay all' }));
    const results = await screen.findByRole('region', { name: 'Replay results' });
    expect(results).toHaveTextContent('More messages are waiting than one replay takes: replay again to reach them.');
    expect(results).toHaveTextContent('Not run: it failed 5 times already (last error: boom).');
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ all: true }, { all: true }]);
  });

  it('pages the table 25 at a time and selects at most a hundred messages', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/failed-messages',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/inbound-dlq': () =>
          listing('inbound-dlq', Array.from({ length: 110 }, (_, i) => letter({ messageId: `m-${i}`, summary: { messageType: 'text', sender: `+${i}` } }))),
      }),
    });
    await screen.findByRole('table', { name: 'Failed messages in inbound-dlq, page 1 of 5' });
    for (let page = 1; page <= 4; page += 1) {
      await user.click(screen.getByRole('checkbox', { name: 'Select every message on this page' }));
      await user.click(screen.getByRole('button', { name: 'Next' }));
    }
    expect(screen.getByRole('table', { name: 'Failed messages in inbound-dlq, page 5 of 5' })).toBeInTheDocument();
    expect(screen.getByText('100 messages are selected, the most one replay takes. Replay these, then select more.')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Select: Text message from +100' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Replay selected (100)' })).toBeEnabled();
  });

  it('offers a retry when a queue cannot be looked at, and an empty queue says so', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderApp({
      path: '/failed-messages',
      as: 'Admin',
      routes: routes({
        'GET /api/dlq/inbound-dlq': () => {
          calls += 1;
          return calls === 1 ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : listing('inbound-dlq', []);
        },
      }),
    });
    expect(await screen.findByText('The messages of inbound-dlq could not be loaded.')).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this action.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No failed messages in inbound-dlq.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Replay all' })).toBeDisabled();
  });

  it('is not offered to an Operator', async () => {
    const { requests } = renderApp({ path: '/failed-messages', as: 'Operator' });
    expect(await screen.findByText('Your role does not allow you to see or replay failed messages.')).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).not.toHaveTextContent('Failed messages');
    expect(requests.some((r) => r.url.pathname.startsWith('/api/dlq'))).toBe(false);
  });
});
