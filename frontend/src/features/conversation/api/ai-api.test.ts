import { ApiClient } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aMessage } from '@/testing/fixtures';
import { approveSuggestion } from './approve-suggestion';
import { createSuggestion } from './create-suggestion';
import { getSuggestions } from './get-suggestions';
import { messageSchema } from './message';
import { rateSuggestion } from './rate-suggestion';
import { optOutRequest, recordOptOut } from './record-opt-out';
import { rejectSuggestion } from './reject-suggestion';
import { suggestionPageSchema, suggestionSchema } from './suggestion';
import { aSuggestion } from './suggestion-examples';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

/** The contract's Suggestion, decided: edited and sent, rated down with a comment. */
const contractExample = {
  id: 'sg-1',
  contactId: 'c-ada',
  status: 'edited',
  origin: 'automation',
  text: 'Hello! You can return unused items within 30 days.',
  sentText: 'Hello Ada! You can return unused items within 30 days of delivery.',
  citations: [
    {
      id: 1,
      source: 's3://wecare-knowledge-base/returns-policy.md',
      title: 'returns-policy.md',
      excerpt: 'Unused items can be returned within 30 days of delivery.',
      score: null,
      answerPart: 'You can return unused items within 30 days.',
    },
  ],
  optOutIntent: false,
  inReplyTo: 'wamid.in-1',
  createdAt: '2026-12-05T09:00:00Z',
  createdBy: null,
  decidedAt: '2026-12-05T09:01:00Z',
  decidedBy: 'operator@wecare.digital',
  rejectReason: null,
  messageId: 'm-out-1',
  sendStatus: 'dry_run',
  feedback: { rating: 'down', comment: 'Too formal', by: 'operator@wecare.digital', at: '2026-12-05T09:02:00Z' },
  latencyMs: 3120,
};

describe('the suggestion schemas', () => {
  it('read the contract’s Suggestion and a page of them', () => {
    expect(suggestionSchema.parse(contractExample)).toEqual(contractExample);
    expect(suggestionPageSchema.parse({ items: [contractExample], nextCursor: null }).items).toHaveLength(1);
    const waiting = aSuggestion();
    expect(suggestionSchema.parse(waiting)).toEqual(waiting);
  });

  it('refuse a status or origin the contract does not name', () => {
    expect(suggestionSchema.safeParse({ ...contractExample, status: 'sent' }).success).toBe(false);
    expect(suggestionSchema.safeParse({ ...contractExample, origin: 'robot' }).success).toBe(false);
    expect(suggestionSchema.safeParse({ ...contractExample, feedback: { rating: 'meh', comment: null, by: 'u', at: 't' } }).success).toBe(false);
  });

  it('read a timeline message that may be an opt-out request, and one that says nothing of it', () => {
    expect(messageSchema.parse(aMessage({ text: 'please stop writing to me', optOutIntent: true })).optOutIntent).toBe(true);
    expect(messageSchema.parse(aMessage({ text: 'hi' })).optOutIntent).toBeUndefined();
  });
});

describe('the suggestion requests', () => {
  it('list a contact’s drafts a page at a time', async () => {
    const { api, requests } = client({ 'GET /api/ai/suggestions': () => json(200, { items: [contractExample], nextCursor: 'older' }) });
    const page = await getSuggestions(api, 'c-ada', { cursor: 'abc' });
    expect(requests[0]?.url.search).toBe('?contactId=c-ada&limit=10&cursor=abc');
    expect(page.nextCursor).toBe('older');
    await getSuggestions(api, 'c-ada');
    expect(requests[1]?.url.search).toBe('?contactId=c-ada&limit=10');
  });

  it('ask for a draft for the contact', async () => {
    const { api, requests } = client({ 'POST /api/ai/suggestions': () => json(201, aSuggestion({ id: 'sg-new' })) });
    expect((await createSuggestion(api, 'c-ada')).id).toBe('sg-new');
    expect(requests[0]?.body).toEqual({ contactId: 'c-ada' });
  });

  it('approve a draft as written with an empty body, or edited with its text', async () => {
    const { api, requests } = client({ 'POST /api/ai/suggestions/sg%201/approve': () => json(200, contractExample) });
    await approveSuggestion(api, { suggestionId: 'sg 1' });
    await approveSuggestion(api, { suggestionId: 'sg 1', text: 'Edited' });
    expect(requests.map((r) => r.body)).toEqual([{}, { text: 'Edited' }]);
  });

  it('reject with the reason, and rate with a comment only when there is one', async () => {
    const { api, requests } = client({
      'POST /api/ai/suggestions/sg-1/reject': () => json(200, { ...contractExample, status: 'rejected', rejectReason: 'Wrong' }),
      'POST /api/ai/suggestions/sg-1/feedback': () => json(200, contractExample),
    });
    expect((await rejectSuggestion(api, { suggestionId: 'sg-1', reason: 'Wrong' })).rejectReason).toBe('Wrong');
    await rateSuggestion(api, { suggestionId: 'sg-1', rating: 'up', comment: '   ' });
    await rateSuggestion(api, { suggestionId: 'sg-1', rating: 'down', comment: ' Too formal ' });
    expect(requests.map((r) => r.body)).toEqual([{ reason: 'Wrong' }, { rating: 'up' }, { rating: 'down', comment: 'Too formal' }]);
  });

  it('turn the API’s refusals into errors with their codes', async () => {
    const { api } = client({
      'POST /api/ai/suggestions': () => json(409, { error: { code: 'NOTHING_TO_REPLY_TO', message: 'The contact has sent no message to answer' } }),
      'POST /api/ai/suggestions/sg-1/approve': () => json(403, { error: { code: 'NOT_OPTED_IN', message: 'The contact has not opted in to WhatsApp' } }),
    });
    await expect(createSuggestion(api, 'c-ada')).rejects.toMatchObject({ status: 409, code: 'NOTHING_TO_REPLY_TO' });
    const refused = await approveSuggestion(api, { suggestionId: 'sg-1' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'NOT_OPTED_IN', message: 'The contact has not opted in to WhatsApp' });
  });
});

describe('recordOptOut', () => {
  it('sends the contact update the contact’s page sends: only the channel’s opt-in, false', async () => {
    expect(optOutRequest('whatsapp')).toEqual({ optInWhatsApp: false });
    expect(optOutRequest('sms')).toEqual({ optInSms: false });
    expect(optOutRequest('email')).toEqual({ optInEmail: false });
    const { api, requests } = client({
      'PATCH /api/contacts/c-ada': () =>
        json(200, { contactId: 'c-ada', tenantId: 'wecare', name: 'Ada', optInWhatsApp: false, optInSms: true, optInEmail: false, consentHistory: [], version: 3 }),
    });
    const contact = await recordOptOut(api, 'c-ada', 'whatsapp');
    expect(requests[0]?.method).toBe('PATCH');
    expect(requests[0]?.body).toEqual({ optInWhatsApp: false });
    expect(contact).toMatchObject({ contactId: 'c-ada', optInWhatsApp: false, optInSms: true });
  });
});
