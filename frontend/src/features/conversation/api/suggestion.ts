// An AI reply draft as the suggestion routes return it, the page of them, and how the cache is
// kept in step with what a decision answered. A draft is `suggested`, `approving` while its send
// is in flight (or was cut short: approving again finishes it, and it is still sent once), then
// `approved` (sent as drafted), `edited` (sent after an operator's edit; both texts kept) or
// `rejected` (with the reason). Drafts come on request ("Suggest a reply") or, with automation on,
// by themselves for each inbound WhatsApp text.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { citationSchema } from '@/components/citations/citation';
import { conversationKeys } from './message';

export const suggestionStatuses = ['suggested', 'approving', 'approved', 'edited', 'rejected'] as const;
export type SuggestionStatus = (typeof suggestionStatuses)[number];

export const feedbackSchema = z.object({
  rating: z.enum(['up', 'down']),
  comment: z.nullable(z.string()),
  /** The user id of whoever rated it. */
  by: z.string(),
  at: z.string(),
});

export type Feedback = z.infer<typeof feedbackSchema>;
export type Rating = Feedback['rating'];

export const suggestionSchema = z.object({
  id: z.string().check(z.minLength(1)),
  contactId: z.string(),
  status: z.enum(suggestionStatuses),
  origin: z.enum(['operator', 'automation']),
  /** The draft as the agent wrote it. */
  text: z.string(),
  /** What was approved to send: the draft, or the edited text. */
  sentText: z.nullable(z.string()),
  citations: z.array(citationSchema),
  /** The customer's latest message reads like an opt-out request. */
  optOutIntent: z.boolean(),
  /** The inbound message the draft answers. */
  inReplyTo: z.nullable(z.string()),
  createdAt: z.string(),
  /** Who asked for it; null when automation drafted it. */
  createdBy: z.nullable(z.string()),
  decidedAt: z.nullable(z.string()),
  decidedBy: z.nullable(z.string()),
  rejectReason: z.nullable(z.string()),
  /** The outbound message the approval sent: it is in the timeline. */
  messageId: z.nullable(z.string()),
  /** That message's status at approval: `sent`, `dry_run`, `unknown` or `failed`. */
  sendStatus: z.nullable(z.string()),
  feedback: z.nullable(feedbackSchema),
  latencyMs: z.number(),
});

export type Suggestion = z.infer<typeof suggestionSchema>;

export const suggestionPageSchema = z.object({
  items: z.array(suggestionSchema),
  nextCursor: z.nullable(z.string()),
});

export type SuggestionPage = z.infer<typeof suggestionPageSchema>;

/** Drafts a page holds ("Show older" asks for the next). */
export const SUGGESTIONS_PAGE_SIZE = 10;
/** How often an open, visible conversation asks for drafts (automation writes them unasked). */
export const SUGGESTIONS_REFRESH_MS = 5_000;
/** The API's limits on what an operator types. */
export const EDITED_TEXT_MAX = 4096;
export const REJECT_REASON_MAX = 500;
export const FEEDBACK_COMMENT_MAX = 1000;

type Pages = InfiniteData<SuggestionPage, string | null>;

/** Puts what the API answered for one draft in its place, or on top when it is new. */
export function storeSuggestion(queryClient: QueryClient, suggestion: Suggestion): void {
  queryClient.setQueryData<Pages>(conversationKeys.suggestions(suggestion.contactId), (data) => {
    if (!data) return data;
    const known = data.pages.some((page) => page.items.some((s) => s.id === suggestion.id));
    if (known) {
      return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((s) => (s.id === suggestion.id ? suggestion : s)) })) };
    }
    const [first, ...rest] = data.pages;
    if (!first) return data;
    return { ...data, pages: [{ ...first, items: [suggestion, ...first.items] }, ...rest] };
  });
}

/** Ask the API for the drafts again (after a decision it refused, or an unknown outcome). */
export function refreshSuggestions(queryClient: QueryClient, contactId: string): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: conversationKeys.suggestions(contactId) });
}
