import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

const operator = { ...users.Operator, permissions: [...users.Operator.permissions, 'useAi'] };
const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'useAi', 'reviewAi'] };

const hours = {
  interactionId: 'ai-1',
  answer: 'We are open Monday to Saturday, 9:00 to 18:00. Closed on Sundays.',
  citations: [
    {
      id: 1,
      source: 's3://wecare-knowledge-base/opening-hours.md',
      title: 'opening-hours.md',
      excerpt: 'Opening hours: Monday to Saturday, 9:00 to 18:00. Closed on Sundays and public holidays.',
      score: 0.93,
      answerPart: 'We are open Monday to Saturday, 9:00 to 18:00.',
    },
  ],
  latencyMs: 1840,
};

function renderAsk({ me = operator, query }: { me?: object; query?: Handler } = {}) {
  return renderApp({
    path: '/agent',
    as: 'Operator',
    routes: { 'GET /api/me': () => json(200, me), ...(query ? { 'POST /api/ai/query': query } : {}) },
  });
}

describe('AskPage', () => {
  it('answers a question with its sources, and keeps the questions asked on the page, newest first', async () => {
    const user = userEvent.setup();
    let asked = 0;
    const { requests } = renderAsk({
      query: () => {
        asked += 1;
        return json(200, asked === 1 ? hours : { interactionId: 'ai-2', answer: 'I could not find that in the knowledge base.', citations: [], latencyMs: 640 });
      },
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Agent' })).toBeInTheDocument();
    expect(document.title).toBe('Agent · WECARE.DIGITAL');
    // No Ask / Interactions tabs: those are for Admins.
    expect(screen.queryByRole('navigation', { name: 'Agent' })).not.toBeInTheDocument();
    expect(screen.getByText(/^Nothing yet\./)).toBeInTheDocument();

    const box = screen.getByRole('textbox', { name: 'Your question' });
    await user.type(box, 'What are your opening hours?');
    await user.click(screen.getByRole('button', { name: 'Ask' }));
    const history = await screen.findByRole('list', { name: 'Questions, newest first' });
    expect(requests.find((r) => r.url.pathname === '/api/ai/query')?.body).toEqual({ question: 'What are your opening hours?' });
    const first = within(history).getByRole('article', { name: 'What are your opening hours?' });
    expect(first).toHaveTextContent('We are open Monday to Saturday, 9:00 to 18:00.[1] Closed on Sundays.');
    expect(first).toHaveTextContent(/in 1\.8 s · 1 source$/);
    expect(box).toHaveValue('');

    await user.click(within(first).getByRole('button', { name: 'Source 1: opening-hours.md' }));
    expect(within(first).getByRole('group', { name: 'Answer, source 1' })).toHaveTextContent('Closed on Sundays and public holidays.');

    // Enter asks too.
    await user.type(box, 'Do you sell gift cards?{Enter}');
    await screen.findByRole('article', { name: 'Do you sell gift cards?' });
    const entries = within(history).getAllByRole('article');
    expect(entries.map((e) => within(e).getByRole('heading').textContent)).toEqual([
      'Do you sell gift cards?',
      'What are your opening hours?',
    ]);
    expect(entries[0]).toHaveTextContent(/no source in the knowledge base supports it$/);
  });

  it('says it is searching while the question is out', async () => {
    const user = userEvent.setup();
    let release: (r: Response) => void = () => undefined;
    renderAsk({ query: () => new Promise<Response>((resolve) => (release = resolve)) });
    await user.type(await screen.findByRole('textbox', { name: 'Your question' }), 'Hours?');
    await user.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByRole('button', { name: 'Asking…' })).toBeDisabled();
    expect(screen.getByRole('status')).toHaveTextContent('Searching the knowledge base…');
    release(json(200, hours));
    expect(await screen.findByRole('article', { name: 'Hours?' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Answered: the answer is below.');
  });

  it('asks nothing without a question, and says what to do when the service is busy or down', async () => {
    const user = userEvent.setup();
    let answer = json(429, { error: { code: 'AI_THROTTLED', message: 'The AI service is busy: try again in a few seconds.' } });
    const { requests } = renderAsk({ query: () => answer });
    await user.click(await screen.findByRole('button', { name: 'Ask' }));
    expect(screen.getByText('Write a question first.')).toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname === '/api/ai/query')).toHaveLength(0);

    await user.type(screen.getByRole('textbox', { name: 'Your question' }), 'Hours?');
    await user.click(screen.getByRole('button', { name: 'Ask' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('No answer');
    expect(alert).toHaveTextContent('The AI service is busy: try again in a few seconds.');
    expect(alert.parentElement).toHaveFocus();
    // The question stays, to ask again.
    expect(screen.getByRole('textbox', { name: 'Your question' })).toHaveValue('Hours?');

    answer = json(502, { error: { code: 'AI_UNAVAILABLE', message: 'unavailable' } });
    await user.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByText(/^The knowledge base cannot be reached right now\./)).toBeInTheDocument();
  });

  it('is not available to a Viewer', async () => {
    renderApp({ path: '/agent', as: 'Viewer' });
    expect(await screen.findByText('Your role does not allow you to ask the knowledge base.')).toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Agent' })).not.toBeInTheDocument();
  });

  it('offers an Admin the way to the interactions, and the sidebar leads here', async () => {
    renderAsk({ me: admin });
    const tabs = await screen.findByRole('navigation', { name: 'Agent' });
    expect(within(tabs).getByRole('link', { name: 'Ask' })).toHaveAttribute('aria-current', 'page');
    expect(within(tabs).getByRole('link', { name: 'Interactions' })).toHaveAttribute('href', '/agent/interactions');
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Agent' })).toHaveAttribute('href', '/agent');
  });
});
