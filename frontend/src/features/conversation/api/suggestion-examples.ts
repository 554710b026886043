// Drafts and citations shaped as the AI API contract's examples, for the conversation's tests.
import type { Citation } from '@/components/citations/citation';
import type { Suggestion } from './suggestion';

export function aCitation(overrides: Partial<Citation> = {}): Citation {
  return {
    id: 1,
    source: 's3://wecare-knowledge-base/returns-policy.md',
    title: 'returns-policy.md',
    excerpt: 'Unused items can be returned within 30 days of delivery for a full refund. Start a return from your order page.',
    score: 0.82,
    answerPart: 'You can return unused items within 30 days of delivery.',
    ...overrides,
  };
}

let counter = 0;

/** A draft waiting for approval, drafted at the Operator's request, a minute after the previous one. */
export function aSuggestion(overrides: Partial<Suggestion> = {}): Suggestion {
  counter += 1;
  return {
    id: `sg-${counter}`,
    contactId: 'c-ada',
    status: 'suggested',
    origin: 'operator',
    text: 'Hello! You can return unused items within 30 days of delivery. Anything else I can help with?',
    sentText: null,
    citations: [aCitation()],
    optOutIntent: false,
    inReplyTo: 'm-in-1',
    createdAt: new Date(Date.UTC(2026, 11, 5, 9, counter)).toISOString(),
    createdBy: 'operator@wecare.digital',
    decidedAt: null,
    decidedBy: null,
    rejectReason: null,
    messageId: null,
    sendStatus: null,
    feedback: null,
    latencyMs: 2400,
    ...overrides,
  };
}
