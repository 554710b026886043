import { ApiClient } from '@/lib/api-client';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { answerSchema, askKnowledgeBase } from './ask';
import { getInteractions } from './get-interactions';
import { getStats } from './get-stats';
import { interactionPageSchema, statsSchema } from './interaction';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

/** The contract's answer to POST /api/ai/query. */
const answer = {
  interactionId: 'ai-1',
  answer: 'We are open Monday to Saturday, 9:00 to 18:00.',
  citations: [
    {
      id: 1,
      source: 's3://wecare-knowledge-base/opening-hours.md',
      title: 'opening-hours.md',
      excerpt: 'Opening hours: Monday to Saturday, 9:00 to 18:00. Closed on Sundays.',
      score: 0.93,
      answerPart: 'We are open Monday to Saturday, 9:00 to 18:00.',
    },
  ],
  latencyMs: 1840,
};

/** The contract's Interaction, a question and a rated draft. */
const interactions = {
  items: [
    {
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
      feedback: { rating: 'up', comment: 'Good', by: 'u-operator', at: '2026-12-05T10:05:00Z' },
    },
    {
      id: 'ai-1',
      kind: 'query',
      at: '2026-12-05T09:00:00Z',
      by: 'u-operator',
      contactId: null,
      question: 'What are your opening hours?',
      answer: answer.answer,
      status: null,
      sourceCount: 1,
      latencyMs: 1840,
      knowledgeBaseId: 'KBWECARE01',
      agentId: null,
      modelId: 'amazon.nova-pro-v1:0',
      feedback: null,
    },
  ],
  nextCursor: 'more',
};

const day = (date: string, counts: Partial<Record<'queries' | 'suggested' | 'approved' | 'edited' | 'rejected' | 'up' | 'down', number>> = {}) => ({
  date,
  queries: 0,
  suggested: 0,
  approved: 0,
  edited: 0,
  rejected: 0,
  up: 0,
  down: 0,
  ...counts,
});

const stats = {
  days: [day('2026-12-04'), day('2026-12-05', { queries: 3, suggested: 4, approved: 2, edited: 1, rejected: 1, up: 2, down: 1 })],
  totals: { queries: 3, suggested: 4, approved: 2, edited: 1, rejected: 1, up: 2, down: 1, approvalRate: 0.75, editRate: 1 / 3 },
};

describe('the agent’s schemas', () => {
  it('read the contract’s answer, interactions and statistics', () => {
    expect(answerSchema.parse(answer)).toEqual(answer);
    expect(interactionPageSchema.parse(interactions)).toEqual(interactions);
    expect(statsSchema.parse(stats)).toEqual(stats);
  });

  it('read rates that are not known yet, and refuse a kind the contract does not name', () => {
    const none = { ...stats, totals: { ...stats.totals, approvalRate: null, editRate: null } };
    expect(statsSchema.parse(none).totals.approvalRate).toBeNull();
    expect(interactionPageSchema.safeParse({ items: [{ ...interactions.items[0], kind: 'chat' }], nextCursor: null }).success).toBe(false);
  });
});

describe('the agent’s requests', () => {
  it('ask a question, with a contact only when given', async () => {
    const { api, requests } = client({ 'POST /api/ai/query': () => json(200, answer) });
    expect((await askKnowledgeBase(api, { question: 'What are your opening hours?' })).citations).toHaveLength(1);
    await askKnowledgeBase(api, { question: 'Hours?', contactId: 'c-ada' });
    expect(requests.map((r) => r.body)).toEqual([{ question: 'What are your opening hours?' }, { question: 'Hours?', contactId: 'c-ada' }]);
  });

  it('list interactions of one kind or all, a page at a time', async () => {
    const { api, requests } = client({ 'GET /api/ai/interactions': () => json(200, interactions) });
    await getInteractions(api, { kind: null, cursor: null });
    await getInteractions(api, { kind: 'query', cursor: 'more' });
    expect(requests.map((r) => r.url.search)).toEqual(['?limit=25', '?kind=query&limit=25&cursor=more']);
  });

  it('read the statistics of the days asked for', async () => {
    const { api, requests } = client({ 'GET /api/ai/stats': () => json(200, stats) });
    expect((await getStats(api, 30)).totals.approvalRate).toBe(0.75);
    expect(requests[0]?.url.search).toBe('?days=30');
  });

  it('turn a throttled question into an error with its code', async () => {
    const { api } = client({
      'POST /api/ai/query': () => json(429, { error: { code: 'AI_THROTTLED', message: 'The AI service is busy: try again in a few seconds.' } }),
    });
    await expect(askKnowledgeBase(api, { question: 'x' })).rejects.toMatchObject({ status: 429, code: 'AI_THROTTLED' });
  });
});
