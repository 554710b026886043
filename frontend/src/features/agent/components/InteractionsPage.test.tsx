import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'useAi', 'reviewAi'] };
const operator = { ...users.Operator, permissions: [...users.Operator.permissions, 'useAi'] };

const day = (date: string, counts: Record<string, number> = {}) => ({ date, queries: 0, suggested: 0, approved: 0, edited: 0, rejected: 0, up: 0, down: 0, ...counts });

const stats = {
  days: [day('2026-12-03'), day('2026-12-04', { suggested: 2, approved: 1, rejected: 1, down: 1 }), day('2026-12-05', { queries: 3, suggested: 4, approved: 2, edited: 2, up: 3 })],
  totals: { queries: 3, suggested: 6, approved: 3, edited: 2, rejected: 1, up: 3, down: 1, approvalRate: 5 / 6, editRate: 0.4 },
};

const draft = {
  id: 'ai-2',
  kind: 'suggestion',
  at: '2026-12-05T10:00:00Z',
  by: null,
  contactId: 'c-ada',
  question: null,
  answer: 'Hello! Returns take 30 days.',
  status: 'edited',
  sourceCount: 2,
  latencyMs: 3200,
  knowledgeBaseId: 'KBWECARE01',
  agentId: 'AGWECARE01',
  modelId: 'amazon.nova-pro-v1:0',
  feedback: { rating: 'down', comment: 'Too formal', by: 'u-operator', at: '2026-12-05T10:05:00Z' },
};
const query = {
  ...draft,
  id: 'ai-1',
  kind: 'query',
  at: '2026-12-05T09:00:00Z',
  by: 'u-admin',
  contactId: null,
  question: 'What are your opening hours?',
  answer: 'We are open Monday to Saturday, 9:00 to 18:00.',
  status: null,
  sourceCount: 1,
  latencyMs: 850,
  agentId: null,
  feedback: null,
};

function renderReview({ me = admin, interactions, statsAnswer = () => json(200, stats) }: { me?: object; interactions?: Handler; statsAnswer?: Handler } = {}) {
  return renderApp({
    path: '/agent/interactions',
    as: 'Admin',
    routes: {
      'GET /api/me': () => json(200, me),
      'GET /api/ai/stats': statsAnswer,
      'GET /api/ai/interactions': interactions ?? (() => json(200, { items: [draft, query], nextCursor: null })),
    },
  });
}

describe('InteractionsPage', () => {
  it('shows the approval and edit rates, and the drafts decided and the feedback per day as charts', async () => {
    const { requests } = renderReview();
    expect(await screen.findByRole('heading', { level: 1, name: 'Agent' })).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Agent' })).getByRole('link', { name: 'Interactions' })).toHaveAttribute('aria-current', 'page');
    const figures = await screen.findByText('Approval rate');
    const approval = figures.closest('div') as HTMLElement;
    expect(approval).toHaveTextContent(/83\s?%/);
    expect(approval).toHaveTextContent('approved or edited, of 6 decided drafts');
    const edit = screen.getByText('Edit rate').closest('div') as HTMLElement;
    expect(edit).toHaveTextContent(/40\s?%/);
    expect(edit).toHaveTextContent('edited before sending, of 5 approved drafts');
    expect(requests.find((r) => r.url.pathname === '/api/ai/stats')?.url.search).toBe('?days=30');

    const decisions = screen.getByRole('img', { name: /^Drafts decided per day, last 30 days: 6 drafts in total — Approved 3, Edited 2, Rejected 1/ });
    expect(decisions).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Feedback per day, last 30 days: 4 ratings in total — Helpful 3, Not helpful 1/ })).toBeInTheDocument();
    expect(screen.getAllByRole('table', { name: /per day, last 30 days/ })).toHaveLength(2);
  });

  it('says a rate is not known before any draft is decided', async () => {
    renderReview({ statsAnswer: () => json(200, { days: [day('2026-12-05')], totals: { ...stats.totals, approved: 0, edited: 0, rejected: 0, approvalRate: null, editRate: null } }) });
    const approval = (await screen.findByText('Approval rate')).closest('div') as HTMLElement;
    expect(approval).toHaveTextContent('—no draft decided yet');
    expect((screen.getByText('Edit rate').closest('div') as HTMLElement)).toHaveTextContent('—no draft approved yet');
  });

  it('lists the interactions with their status, sources, feedback and latency', async () => {
    renderReview();
    const table = await screen.findByRole('table', { name: 'AI interactions, newest first' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(first).toHaveTextContent('Draft');
    expect(first).toHaveTextContent('Hello! Returns take 30 days.');
    expect(first).toHaveTextContent('Edited and approved');
    expect(first).toHaveTextContent('Not helpful“Too formal”');
    expect(first).toHaveTextContent('3.2 s');
    expect(first).toHaveTextContent('Automation');
    expect(second).toHaveTextContent('Question');
    expect(second).toHaveTextContent('What are your opening hours?We are open Monday to Saturday');
    expect(second).toHaveTextContent('Answered');
    expect(second).toHaveTextContent('850 ms');
    expect(second).toHaveTextContent('You');
    expect(screen.getByText('That is every interaction recorded.')).toBeInTheDocument();
  });

  it('filters by kind, kept in the address, and loads more a page at a time', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderReview({
      interactions: ({ url }) => {
        if (url.searchParams.get('kind') === 'query') return json(200, { items: [query], nextCursor: url.searchParams.get('cursor') ? null : 'p2' });
        return json(200, { items: [draft, query], nextCursor: null });
      },
    });
    await screen.findByRole('table', { name: 'AI interactions, newest first' });
    await user.click(screen.getByRole('radio', { name: 'Questions' }));
    await screen.findByRole('table', { name: 'AI questions, newest first' });
    expect(router.state.location.search).toBe('?kind=query');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getByText('That is every question recorded.')).toBeInTheDocument());
    const asked = requests.filter((r) => r.url.pathname === '/api/ai/interactions').map((r) => r.url.search);
    expect(asked).toEqual(['?limit=25', '?kind=query&limit=25', '?kind=query&limit=25&cursor=p2']);
  });

  it('says when the figures cannot be loaded, with a way to try again', async () => {
    const user = userEvent.setup();
    let fail = true;
    renderReview({ statsAnswer: () => (fail ? json(403, { error: { code: 'FORBIDDEN', message: 'x' } }) : json(200, stats)) });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The figures could not be loaded.');
    expect(alert).toHaveTextContent('Your role does not allow this action.');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Approval rate')).toBeInTheDocument();
  });

  it('is an Admin’s alone', async () => {
    const { requests } = renderReview({ me: operator });
    expect(await screen.findByText('Your role does not allow you to review the assistant’s interactions.')).toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname.startsWith('/api/ai/'))).toHaveLength(0);
  });
});
