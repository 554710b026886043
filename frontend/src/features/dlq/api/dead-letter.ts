// The dead-letter queues as the API shows them (functions/dlq-replay): what a listing and a
// replay answer, the limits the API enforces, and the query keys of the feature.
//
// States, outcomes, kinds and summary fields are kept as strings: a value the console does not
// know yet is shown by its name rather than making the whole answer unreadable.
import * as z from 'zod/mini';

/** The queues, by the names the API uses in its paths. */
export const DLQ_QUEUES = ['inbound-dlq', 'bulk-dlq', 'outbound-dlq'] as const;
export type DlqQueue = (typeof DLQ_QUEUES)[number];

export function isDlqQueue(value: string | null): value is DlqQueue {
  return (DLQ_QUEUES as readonly string[]).includes(value ?? '');
}

/** The most messages one replay request may name, or replay with "all" (MAX_REPLAY_BATCH). */
export const MAX_REPLAY = 100;

/** Replays of one message before it is abandoned (MAX_REPLAY_ATTEMPTS). */
export const MAX_ATTEMPTS = 5;

export const deadLetterSchema = z.object({
  /** The id the message had before it failed: what a replay names. */
  messageId: z.string().check(z.minLength(1)),
  /** The shape it reached the queue in (`sns-notification`, `chunk`, `send`…). */
  kind: z.string(),
  /** What it is about, decoded by the API; its fields depend on the queue. */
  summary: z._default(z.record(z.string(), z.unknown()), {}),
  firstFailedAt: z.nullish(z.string()),
  /** The error it carried into the queue, when its shape carries one. */
  error: z.nullish(z.string()),
  attempts: z.number(),
  /** `pending`, `replayed` or `abandoned`. */
  state: z.string(),
  lastError: z.nullish(z.string()),
  lastAttemptAt: z.nullish(z.string()),
  replayedAt: z.nullish(z.string()),
  /** Copies of it the queue holds (one failed event can reach a queue twice). */
  copies: z._default(z.number(), 1),
});

export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const listingSchema = z.object({
  queue: z.string(),
  items: z.array(deadLetterSchema),
  /** False when the queue held more than one look takes in: replaying some shows the rest. */
  complete: z._default(z.boolean(), true),
});

export type Listing = z.infer<typeof listingSchema>;

export const replayResultSchema = z.object({
  messageId: z.string(),
  /** `replayed`, `already-replayed`, `failed`, `abandoned` or `not-found`. */
  outcome: z.string(),
  state: z.nullish(z.string()),
  attempts: z.nullish(z.number()),
  error: z.nullish(z.string()),
  /** What the replay did (processed by the inbound handler, put back on bulk-queue, sent…). */
  detail: z.nullish(z.string()),
});

export type ReplayResult = z.infer<typeof replayResultSchema>;

export const replaySchema = z.object({
  queue: z.string(),
  results: z.array(replayResultSchema),
  /** False when more messages wait than one request replays. */
  complete: z._default(z.boolean(), true),
});

export type Replay = z.infer<typeof replaySchema>;

export const dlqKeys = {
  all: ['dlq'] as const,
  listing: (queue: DlqQueue) => ['dlq', 'listing', queue] as const,
};
