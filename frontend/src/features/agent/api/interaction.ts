// What the Admins' review of the assistant reads: every interaction (a question asked on the Agent
// page, or a reply draft), and the figures per day. The query keys of the agent feature.
import * as z from 'zod/mini';

export const interactionKinds = ['query', 'suggestion'] as const;
export type InteractionKind = (typeof interactionKinds)[number];

/** A draft's status, as the suggestion routes say it. */
export const draftStatuses = ['suggested', 'approving', 'approved', 'edited', 'rejected'] as const;
export type DraftStatus = (typeof draftStatuses)[number];

export const feedbackSchema = z.object({
  rating: z.enum(['up', 'down']),
  comment: z.nullable(z.string()),
  by: z.string(),
  at: z.string(),
});

export type Feedback = z.infer<typeof feedbackSchema>;

export const interactionSchema = z.object({
  id: z.string().check(z.minLength(1)),
  kind: z.enum(interactionKinds),
  at: z.string(),
  /** Who asked; null for a draft automation wrote. */
  by: z.nullable(z.string()),
  contactId: z.nullable(z.string()),
  /** Questions only. */
  question: z.nullable(z.string()),
  /** The answer, or the draft's text. */
  answer: z.string(),
  /** Drafts only. */
  status: z.nullable(z.enum(draftStatuses)),
  sourceCount: z.number(),
  latencyMs: z.number(),
  knowledgeBaseId: z.nullable(z.string()),
  agentId: z.nullable(z.string()),
  modelId: z.nullable(z.string()),
  feedback: z.nullable(feedbackSchema),
});

export type Interaction = z.infer<typeof interactionSchema>;

export const interactionPageSchema = z.object({
  items: z.array(interactionSchema),
  nextCursor: z.nullable(z.string()),
});

export type InteractionPage = z.infer<typeof interactionPageSchema>;

const counts = {
  queries: z.number(),
  suggested: z.number(),
  approved: z.number(),
  edited: z.number(),
  rejected: z.number(),
  up: z.number(),
  down: z.number(),
};

export const statsDaySchema = z.object({ date: z.string(), ...counts });

export type StatsDay = z.infer<typeof statsDaySchema>;

export const statsSchema = z.object({
  /** Oldest first, every day present. */
  days: z.array(statsDaySchema),
  totals: z.object({
    ...counts,
    /** (approved + edited) / decided drafts; null while none is decided. */
    approvalRate: z.nullable(z.number()),
    /** edited / (approved + edited); null while none is approved. */
    editRate: z.nullable(z.number()),
  }),
});

export type Stats = z.infer<typeof statsSchema>;

export const INTERACTIONS_PAGE_SIZE = 25;
/** The days the review's figures and charts cover. */
export const STATS_DAYS = 30;

export const agentKeys = {
  all: ['agent'] as const,
  interactions: (kind: InteractionKind | null) => [...agentKeys.all, 'interactions', kind ?? 'all'] as const,
  stats: (days: number) => [...agentKeys.all, 'stats', days] as const,
};
