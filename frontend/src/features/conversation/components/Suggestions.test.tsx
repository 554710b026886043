import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { aContact, aMessage, sendersPage, users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Message } from '../api/message';
import type { Suggestion } from '../api/suggestion';
import { aCitation, aSuggestion } from '../api/suggestion-examples';

const operator = { ...users.Operator, permissions: [...users.Operator.permissions, 'useAi'] };
const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'useAi', 'reviewAi'] };

const ada = (overrides = {}) => aContact({ contactId: 'c-ada', name: 'Ada Lovelace', phone: '+919876543210', optInWhatsApp: true, ...overrides });
const open = () => ({ state: 'open', expiresAt: new Date(Date.now() + 5 * 3600_000).toISOString() });
const question = () => aMessage({ messageId: 'm-in-1', text: 'What is your returns policy?' });

function timeline(items: Message[]) {
  return json(200, { items, nextCursor: null, window: open() });
}

function draftsPage(items: Suggestion[], nextCursor: string | null = null) {
  return json(200, { items, nextCursor });
}

function renderAi({
  me = operator,
  contact = ada(),
  messages = () => timeline([question()]),
  drafts = () => draftsPage([]),
  routes = {},
}: {
  me?: object;
  contact?: ReturnType<typeof aContact>;
  messages?: Handler;
  drafts?: Handler;
  routes?: Record<string, Handler>;
} = {}) {
  return renderApp({
    path: '/conversations/c-ada',
    as: 'Operator',
    routes: {
      'GET /api/me': () => json(200, me),
      'GET /api/contacts/c-ada': () => json(200, contact),
      'GET /api/contacts/c-ada/messages': messages,
      'GET /api/senders': () => json(200, sendersPage()),
      'POST /api/conversations/c-ada/read': () => json(200, { contactId: 'c-ada', unreadCount: 0, changed: true }),
      'GET /api/ai/suggestions': drafts,
      ...routes,
    },
  });
}

type Requests = ReturnType<typeof renderApp>['requests'];
const draftList = () => screen.findByRole('list', { name: 'Drafts, newest first' });
const cards = async () => within(await draftList()).getAllByRole('article');
const posts = (requests: Requests, path: string) => requests.filter((r) => r.method === 'POST' && r.url.pathname === path);
const listReads = (requests: Requests) => requests.filter((r) => r.method === 'GET' && r.url.pathname === '/api/ai/suggestions');

/** A response the test releases when it has seen the pending state. */
function deferred() {
  let release: (response: Response) => void = () => undefined;
  const promise = new Promise<Response>((resolve) => {
    release = resolve;
  });
  return { handler: () => promise, release };
}

describe('Reply suggestions: who sees them', () => {
  it('are not offered to a Viewer, and nothing asks for them', async () => {
    const { requests } = renderApp({
      path: '/conversations/c-ada',
      as: 'Viewer',
      routes: {
        'GET /api/contacts/c-ada': () => json(200, ada()),
        'GET /api/contacts/c-ada/messages': () => timeline([question()]),
        'GET /api/senders': () => json(200, sendersPage()),
        'POST /api/conversations/c-ada/read': () => json(200, { contactId: 'c-ada', unreadCount: 0, changed: true }),
      },
    });
    await screen.findByRole('list', { name: 'Messages, oldest first' });
    expect(screen.queryByRole('button', { name: 'Suggest a reply' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Reply suggestions' })).not.toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listReads(requests)).toHaveLength(0);
  });

  it('are offered to an Operator and an Admin, with the drafts of the contact', async () => {
    for (const me of [operator, admin]) {
      const view = renderAi({ me, drafts: () => draftsPage([aSuggestion()]) });
      expect(await screen.findByRole('button', { name: 'Suggest a reply' })).toBeEnabled();
      expect(await cards()).toHaveLength(1);
      expect(listReads(view.requests)[0]?.url.searchParams.get('contactId')).toBe('c-ada');
      view.unmount();
    }
  });
});

describe('Reply suggestions: asking for a draft', () => {
  it('says it is drafting while the agent works, then shows the draft with its sources', async () => {
    const user = userEvent.setup();
    const drafted = aSuggestion({
      id: 'sg-new',
      citations: [aCitation(), aCitation({ id: 2, title: 'faq.md', source: 's3://wecare-knowledge-base/faq.md', answerPart: 'Anything else I can help with?', excerpt: 'Ask us anything.' })],
    });
    const stored: Suggestion[] = [];
    const answer = deferred();
    const { requests } = renderAi({
      drafts: () => draftsPage(stored),
      routes: { 'POST /api/ai/suggestions': answer.handler },
    });
    expect(await screen.findByText(/No drafts yet\./)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Suggest a reply' }));
    const busy = await screen.findByRole('button', { name: 'Drafting…' });
    expect(busy).toBeDisabled();
    expect(screen.getByText(/Drafting a reply from the knowledge base; this can take several seconds\./)).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions')[0]?.body).toEqual({ contactId: 'c-ada' });

    stored.push(drafted);
    answer.release(json(201, drafted));
    const [card] = await cards();
    expect(card).toHaveAccessibleName(/^Drafted at your request · /);
    expect(within(card as HTMLElement).getByText('Waiting for approval')).toBeInTheDocument();
    expect(screen.getByText('A new draft is ready: read it below, then approve, edit or reject it.')).toBeInTheDocument();
    expect((card as HTMLElement).querySelector('.cited__text')).toHaveTextContent(
      'Hello! You can return unused items within 30 days of delivery.[1] Anything else I can help with?[2]',
    );

    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Source 1: returns-policy.md' }));
    const source = within(card as HTMLElement).getByRole('group', { name: 'Draft, source 1' });
    expect(source).toHaveTextContent('returns-policy.md · relevance 0.82');
    expect(source).toHaveTextContent('Unused items can be returned within 30 days of delivery for a full refund.');
    expect(screen.getByRole('button', { name: 'Suggest a reply' })).toBeEnabled();
  });

  const refusals: [string, number, string, string, RegExp][] = [
    ['the AI service is busy', 429, 'AI_THROTTLED', 'The AI service is busy: try again in a few seconds.', /^The AI service is busy: try again in a few seconds\.$/],
    ['the contact has not written', 409, 'NOTHING_TO_REPLY_TO', 'The contact has sent no message to answer', /^Ada Lovelace has not sent a message yet, so there is nothing to reply to\./],
    ['the assistant is down', 502, 'AI_UNAVAILABLE', 'The AI service is unavailable', /^The assistant is unavailable right now\. Write the reply yourself below, or try again later\.$/],
  ];
  for (const [when, status, code, message, said] of refusals) {
    it(`says what to do when ${when}`, async () => {
      const user = userEvent.setup();
      renderAi({ routes: { 'POST /api/ai/suggestions': () => json(status, { error: { code, message } }) } });
      await user.click(await screen.findByRole('button', { name: 'Suggest a reply' }));
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent('No draft this time');
      expect(within(alert).getByText(said)).toBeInTheDocument();
      // Focused, so it is read out; the button works again.
      expect(alert.parentElement).toHaveFocus();
      expect(screen.getByRole('button', { name: 'Suggest a reply' })).toBeEnabled();
    });
  }
});

describe('Reply suggestions: the list', () => {
  it('shows a draft automation wrote for a new message without a reload, while the tab is visible', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const stored: Suggestion[] = [];
      const { requests } = renderAi({ drafts: () => draftsPage(stored) });
      expect(await screen.findByText(/No drafts yet\./)).toBeInTheDocument();
      stored.push(aSuggestion({ origin: 'automation', createdBy: null, text: 'Hello! We open at 9.' }));
      await vi.advanceTimersByTimeAsync(5_100);
      const [card] = await cards();
      expect(card).toHaveAccessibleName(/^Drafted automatically · /);
      expect(card).toHaveTextContent('Hello! We open at 9.');

      // A hidden tab asks nothing.
      const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      const before = listReads(requests).length;
      await vi.advanceTimersByTimeAsync(15_000);
      expect(listReads(requests)).toHaveLength(before);
      visibility.mockReturnValue('visible');
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await vi.advanceTimersByTimeAsync(5_100);
      expect(listReads(requests).length).toBeGreaterThan(before);
      visibility.mockRestore();
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows the newest first, and older drafts a page at a time', async () => {
    const user = userEvent.setup();
    const newest = aSuggestion({ text: 'Newest draft.' });
    const older = aSuggestion({ text: 'Older draft.', status: 'rejected', rejectReason: 'Too long', decidedBy: 'priya@wecare.digital', decidedAt: '2026-12-05T08:00:00Z' });
    const { requests } = renderAi({
      drafts: ({ url }) => (url.searchParams.get('cursor') === 'page-2' ? draftsPage([older]) : draftsPage([newest], 'page-2')),
    });
    expect(await cards()).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Show older drafts' }));
    await waitFor(async () => expect(await cards()).toHaveLength(2));
    const [first, second] = await cards();
    expect(first).toHaveTextContent('Newest draft.');
    expect(second).toHaveTextContent('Older draft.');
    expect(second).toHaveTextContent(/Rejected by priya@wecare.digital on .*: “Too long”/);
    expect(screen.queryByRole('button', { name: 'Show older drafts' })).not.toBeInTheDocument();
    expect(listReads(requests).some((r) => r.url.searchParams.get('cursor') === 'page-2')).toBe(true);
  });

  it('says when the drafts cannot be loaded, and loads them again on request', async () => {
    const user = userEvent.setup();
    let fail = true;
    renderAi({ drafts: () => (fail ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : draftsPage([aSuggestion()])) });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The drafts could not be loaded.');
    expect(alert).toHaveTextContent('Your role does not allow this action.');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await cards()).toHaveLength(1);
  });
});

describe('Reply suggestions: approving', () => {
  it('sends the draft as written, says it was sent, and the sent message appears once in the timeline', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    const sent = aMessage({ messageId: 'm-out-1', direction: 'outbound', status: 'sent', from: 'pn-1', text: draft.text });
    let approved = false;
    const { requests } = renderAi({
      messages: () => timeline(approved ? [sent, question()] : [question()]),
      drafts: () => draftsPage([approved ? { ...draft, status: 'approved', sentText: draft.text, messageId: 'm-out-1', sendStatus: 'sent', decidedBy: 'operator@wecare.digital', decidedAt: '2026-12-05T09:10:00Z' } : draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/approve': () => {
          approved = true;
          return json(200, { ...draft, status: 'approved', sentText: draft.text, messageId: 'm-out-1', sendStatus: 'sent', decidedBy: 'operator@wecare.digital', decidedAt: '2026-12-05T09:10:00Z' });
        },
      },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Approve and send' }));
    const outcome = await within(card as HTMLElement).findByText(/^Approved by you on .*\. Sent\.$/);
    expect(outcome.parentElement).toHaveFocus();
    expect(posts(requests, '/api/ai/suggestions/sg-1/approve')[0]?.body).toEqual({});
    expect(within(card as HTMLElement).queryByRole('button', { name: 'Approve and send' })).not.toBeInTheDocument();
    expect(within(card as HTMLElement).getByText('Approved')).toBeInTheDocument();

    const log = screen.getByRole('list', { name: 'Messages, oldest first' });
    await waitFor(() => expect(within(log).getAllByText(draft.text)).toHaveLength(1));
    expect(within(log).getByText(draft.text).closest('.bubble')).toHaveClass('bubble--outbound');
  });

  it('says a dry run recorded the reply without sending it', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/approve': () =>
          json(200, { ...draft, status: 'approved', sentText: draft.text, messageId: 'm-out', sendStatus: 'dry_run', decidedBy: 'operator@wecare.digital', decidedAt: '2026-12-05T09:10:00Z' }),
      },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Approve and send' }));
    expect(await within(card as HTMLElement).findByText(/Recorded, not sent \(dry run\): nothing reached the customer\.$/)).toBeInTheDocument();
  });

  it('shows what the send pipeline refused in its words, and keeps the draft waiting', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/approve': () => json(403, { error: { code: 'NOT_OPTED_IN', message: 'Ada Lovelace has not opted in to WhatsApp' } }),
      },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Approve and send' }));
    const alert = await within(card as HTMLElement).findByRole('alert');
    expect(alert).toHaveTextContent('Not sent');
    expect(alert).toHaveTextContent(
      'Ada Lovelace has not opted in to WhatsApp. Nothing was sent: Ada Lovelace has not opted in to WhatsApp messages. Record their consent on the contact’s page first; the draft stays here.',
    );
    expect(alert.parentElement).toHaveFocus();
    expect(within(card as HTMLElement).getByText('Waiting for approval')).toBeInTheDocument();
    expect(within(card as HTMLElement).getByRole('button', { name: 'Approve and send' })).toBeEnabled();
  });

  it('finishes an approval that was cut short', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1', status: 'approving' });
    const { requests } = renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/approve': () =>
          json(200, { ...draft, status: 'approved', sentText: draft.text, messageId: 'm-out', sendStatus: 'sent', decidedBy: 'operator@wecare.digital', decidedAt: '2026-12-05T09:10:00Z' }),
      },
    });
    const [card] = await cards();
    expect(within(card as HTMLElement).getByText('Approval in progress')).toBeInTheDocument();
    expect(card).toHaveTextContent('An approval of this draft started but has not finished. Finishing it sends the reply once, never twice.');
    expect(within(card as HTMLElement).queryByRole('button', { name: 'Reject' })).not.toBeInTheDocument();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Finish approving' }));
    expect(await within(card as HTMLElement).findByText(/^Approved by you/)).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/approve')).toHaveLength(1);
  });

  it('sends an edited reply, and then shows both the draft and what was sent', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1', text: 'Hello! Returns take 30 days.' });
    const { requests } = renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/approve': ({ body }) =>
          json(200, {
            ...draft,
            status: 'edited',
            sentText: (body as { text: string }).text,
            messageId: 'm-out',
            sendStatus: 'sent',
            decidedBy: 'operator@wecare.digital',
            decidedAt: '2026-12-05T09:10:00Z',
          }),
      },
    });
    const [card] = await cards();
    const scope = within(card as HTMLElement);
    await user.click(scope.getByRole('button', { name: 'Edit' }));
    const box = scope.getByRole('textbox', { name: 'Your reply' });
    expect(box).toHaveValue('Hello! Returns take 30 days.');
    expect(box).toHaveFocus();

    // Nothing to send: said, not posted.
    await user.clear(box);
    await user.click(scope.getByRole('button', { name: 'Approve edited' }));
    expect(scope.getByText('Write the reply, or cancel editing.')).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/approve')).toHaveLength(0);

    await user.type(box, 'Hello Ada! Returns take 30 days from delivery.');
    await user.click(scope.getByRole('button', { name: 'Approve edited' }));
    expect(await scope.findByText(/^Edited and approved by you on .*\. Sent\.$/)).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/approve')[0]?.body).toEqual({ text: 'Hello Ada! Returns take 30 days from delivery.' });
    expect(scope.getByText('Drafted')).toBeInTheDocument();
    expect((card as HTMLElement).querySelector('.cited__text')).toHaveTextContent('Hello! Returns take 30 days.');
    expect(scope.getByText('Sent, as edited')).toBeInTheDocument();
    expect(scope.getByText('Hello Ada! Returns take 30 days from delivery.')).toBeInTheDocument();
  });

  it('puts focus back on Edit when editing is cancelled, and sends nothing', async () => {
    const user = userEvent.setup();
    const { requests } = renderAi({ drafts: () => draftsPage([aSuggestion({ id: 'sg-1' })]) });
    const [card] = await cards();
    const scope = within(card as HTMLElement);
    await user.click(scope.getByRole('button', { name: 'Edit' }));
    await user.type(scope.getByRole('textbox', { name: 'Your reply' }), ' More.');
    await user.click(scope.getByRole('button', { name: 'Cancel editing' }));
    expect(scope.queryByRole('textbox', { name: 'Your reply' })).not.toBeInTheDocument();
    expect(scope.getByRole('button', { name: 'Edit' })).toHaveFocus();
    expect(posts(requests, '/api/ai/suggestions/sg-1/approve')).toHaveLength(0);
  });
});

describe('Reply suggestions: rejecting and rating', () => {
  it('asks for a reason before rejecting, then shows the rejection with it', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    const { requests } = renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/reject': ({ body }) =>
          json(200, { ...draft, status: 'rejected', rejectReason: (body as { reason: string }).reason, decidedBy: 'operator@wecare.digital', decidedAt: '2026-12-05T09:10:00Z' }),
      },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Reject' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject this draft?' });
    expect(dialog).toHaveTextContent('Nothing is sent to Ada Lovelace.');
    await user.click(within(dialog).getByRole('button', { name: 'Reject draft' }));
    expect(within(dialog).getByText('Say why the draft is not right: it helps improve the assistant.')).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/reject')).toHaveLength(0);

    await user.type(within(dialog).getByRole('textbox', { name: 'Reason' }), 'Quotes the wrong return period');
    await user.click(within(dialog).getByRole('button', { name: 'Reject draft' }));
    const outcome = await within(card as HTMLElement).findByText(/^Rejected by you on .*: “Quotes the wrong return period”$/);
    expect(posts(requests, '/api/ai/suggestions/sg-1/reject')[0]?.body).toEqual({ reason: 'Quotes the wrong return period' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(outcome.parentElement).toHaveFocus();
    expect(within(card as HTMLElement).queryByRole('button', { name: 'Approve and send' })).not.toBeInTheDocument();
  });

  it('explains in the dialog a rejection refused because the draft was decided meanwhile', async () => {
    const user = userEvent.setup();
    renderAi({
      drafts: () => draftsPage([aSuggestion({ id: 'sg-1' })]),
      routes: { 'POST /api/ai/suggestions/sg-1/reject': () => json(409, { error: { code: 'CONFLICT', message: 'already decided' } }) },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Reject' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject this draft?' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Reason' }), 'Wrong');
    await user.click(within(dialog).getByRole('button', { name: 'Reject draft' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(/already decided or is being approved, so it cannot be rejected/);
  });

  it('rates a draft down with a comment, and says so', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    const { requests } = renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/feedback': ({ body }) => {
          const { rating, comment } = body as { rating: 'up' | 'down'; comment?: string };
          return json(200, { ...draft, feedback: { rating, comment: comment ?? null, by: 'operator@wecare.digital', at: '2026-12-05T09:10:00Z' } });
        },
      },
    });
    const [card] = await cards();
    const scope = within(card as HTMLElement);
    const down = scope.getByRole('button', { name: 'Not helpful' });
    expect(down).toHaveAttribute('aria-pressed', 'false');
    await user.click(down);
    const comment = scope.getByRole('textbox', { name: 'Comment (optional)' });
    expect(comment).toHaveFocus();
    await user.type(comment, 'Too formal for a chat');
    await user.click(scope.getByRole('button', { name: 'Send feedback: not helpful' }));
    expect(await scope.findByText('Thanks: feedback recorded. You rated it not helpful: “Too formal for a chat”')).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/feedback')[0]?.body).toEqual({ rating: 'down', comment: 'Too formal for a chat' });
    expect(scope.getByRole('button', { name: 'Not helpful' })).toHaveAttribute('aria-pressed', 'true');
    expect(scope.getByRole('button', { name: 'Helpful' })).toHaveAttribute('aria-pressed', 'false');
    expect(scope.queryByRole('textbox', { name: 'Comment (optional)' })).not.toBeInTheDocument();
  });

  it('rates up without a comment', async () => {
    const user = userEvent.setup();
    const draft = aSuggestion({ id: 'sg-1' });
    const { requests } = renderAi({
      drafts: () => draftsPage([draft]),
      routes: {
        'POST /api/ai/suggestions/sg-1/feedback': () => json(200, { ...draft, feedback: { rating: 'up', comment: null, by: 'operator@wecare.digital', at: '2026-12-05T09:10:00Z' } }),
      },
    });
    const [card] = await cards();
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Helpful' }));
    await user.click(within(card as HTMLElement).getByRole('button', { name: 'Send feedback: helpful' }));
    expect(await within(card as HTMLElement).findByText(/You rated it helpful\.$/)).toBeInTheDocument();
    expect(posts(requests, '/api/ai/suggestions/sg-1/feedback')[0]?.body).toEqual({ rating: 'up' });
  });
});

describe('Reply suggestions: an opt-out request', () => {
  const stop = () => aMessage({ messageId: 'm-stop', text: 'please stop sending me these', optOutIntent: true });

  it('asks, and records the opt-out only after a confirmation, through the contact update', async () => {
    const user = userEvent.setup();
    const { requests } = renderAi({
      messages: () => timeline([stop()]),
      routes: { 'PATCH /api/contacts/c-ada': () => json(200, ada({ optInWhatsApp: false })) },
    });
    const question = await screen.findByText('This may be an opt-out request: record it?');
    const notice = question.closest('.alert') as HTMLElement;
    expect(notice).toHaveTextContent('Ada Lovelace wrote “please stop sending me these”. It reads like a request to stop WhatsApp messages but is not a STOP keyword');

    // Cancelling records nothing.
    await user.click(within(notice).getByRole('button', { name: 'Record opt-out…' }));
    let dialog = await screen.findByRole('dialog', { name: 'Opt Ada Lovelace out of WhatsApp?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    await user.click(within(notice).getByRole('button', { name: 'Record opt-out…' }));
    dialog = await screen.findByRole('dialog', { name: 'Opt Ada Lovelace out of WhatsApp?' });
    await user.click(within(dialog).getByRole('button', { name: 'Record opt-out' }));
    const done = await screen.findByText(/^Opt-out recorded: Ada Lovelace will get no more WhatsApp messages/);
    expect(done.closest('.opt-out-notice')).toHaveFocus();
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ optInWhatsApp: false }]);
    expect(screen.queryByText('This may be an opt-out request: record it?')).not.toBeInTheDocument();
    // The composer knows at once.
    expect(await screen.findByText(/has not opted in to WhatsApp messages, so nothing can be sent/)).toBeInTheDocument();
  });

  it('is set aside with “Not an opt-out”, and records nothing', async () => {
    const user = userEvent.setup();
    const { requests } = renderAi({ messages: () => timeline([stop()]) });
    await user.click(await screen.findByRole('button', { name: 'Not an opt-out' }));
    expect(screen.queryByText('This may be an opt-out request: record it?')).not.toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('is asked when the newest draft says the message reads like one, and the draft says so too', async () => {
    renderAi({ drafts: () => draftsPage([aSuggestion({ optOutIntent: true, inReplyTo: 'm-in-1' })]) });
    expect(await screen.findByText('This may be an opt-out request: record it?')).toBeInTheDocument();
    const [card] = await cards();
    expect(card).toHaveTextContent('Ada Lovelace’s message may be a request to stop messages. Check it before replying');
  });

  it('is not asked of someone already opted out, nor of a Viewer', async () => {
    const view = renderAi({ contact: ada({ optInWhatsApp: false }), messages: () => timeline([stop()]) });
    await screen.findByRole('list', { name: 'Messages, oldest first' });
    await screen.findByRole('button', { name: 'Suggest a reply' });
    expect(screen.queryByText('This may be an opt-out request: record it?')).not.toBeInTheDocument();
    view.unmount();

    renderApp({
      path: '/conversations/c-ada',
      as: 'Viewer',
      routes: {
        'GET /api/contacts/c-ada': () => json(200, ada()),
        'GET /api/contacts/c-ada/messages': () => timeline([stop()]),
        'GET /api/senders': () => json(200, sendersPage()),
        'POST /api/conversations/c-ada/read': () => json(200, { contactId: 'c-ada', unreadCount: 0, changed: true }),
      },
    });
    await screen.findByRole('list', { name: 'Messages, oldest first' });
    expect(screen.queryByText('This may be an opt-out request: record it?')).not.toBeInTheDocument();
  });
});
