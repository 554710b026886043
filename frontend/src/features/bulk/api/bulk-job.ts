// The bulk job resource as the API returns it, what a job request carries (the body of the preview
// and of create), and the query keys of the bulk feature.
//
// Statuses, exclusion reasons and recipient states are kept as strings: one the console does not
// know yet is shown by its name rather than making the whole answer unreadable.
import * as z from 'zod/mini';

export const bulkChannels = ['whatsapp', 'sms', 'email'] as const;
export type BulkChannel = (typeof bulkChannels)[number];

export const JOB_STATUSES = ['PENDING', 'RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED', 'COMPLETED_WITH_FAILURES'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Why a recipient is not sent to, as the API names it (preview `excluded`, job `excluded`, `skipped`). */
export const EXCLUSION_REASONS = [
  'not_opted_in',
  'opted_out_by_keyword',
  'deleted',
  'missing_address',
  'invalid_address',
  'duplicate_in_list',
  'outside_window_without_template',
  'over_tier',
  'missing_variable',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export const RECIPIENT_STATUSES = ['failed', 'sent', 'skipped', 'unknown', 'cancelled', 'pending'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

const counts = z.record(z.string(), z.number());

export const progressSchema = z.object({
  total: z.number(),
  pending: z.number(),
  sent: z.number(),
  failed: z.number(),
  /** By reason: skipped at send time (e.g. they opted out during the campaign). */
  skipped: z._default(counts, {}),
  /** May or may not have reached the provider. */
  unknown: z._default(z.number(), 0),
  cancelled: z._default(z.number(), 0),
});

export type Progress = z.infer<typeof progressSchema>;

export const jobSchema = z.object({
  jobId: z.string().check(z.minLength(1)),
  name: z.nullish(z.string()),
  channel: z.string(),
  /** The sender id every recipient is sent from. */
  sender: z.string(),
  /** What is sent, before personalisation (the request's `content`). */
  content: z.unknown(),
  status: z.string(),
  progress: progressSchema,
  /** Recipients left out before the job started, by reason. */
  excluded: z._default(counts, {}),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.nullish(z.string()),
  /** Nothing has moved for a while although work remains (or a chunk keeps failing). */
  stalled: z._default(z.boolean(), false),
  /** The CSV report can be downloaded (GET …/report). */
  reportReady: z._default(z.boolean(), false),
  /** The tenant's quiet hours hold the job's sends until then (it resumes by itself). */
  quietUntil: z.nullish(z.string()),
});

export type Job = z.infer<typeof jobSchema>;

export const jobPageSchema = z.object({
  items: z.array(jobSchema),
  nextCursor: z.nullable(z.string()),
});

export type JobPage = z.infer<typeof jobPageSchema>;

/** `{"job": Job}`: what create and the controls answer. */
export const jobEnvelopeSchema = z.object({ job: jobSchema });

export const jobDetailSchema = z.object({
  job: jobSchema,
  /** Messages per second lately; 0 or absent when nothing is being sent. */
  ratePerSecond: z.nullish(z.number()),
  etaSeconds: z.nullish(z.number()),
  /** Messages per second over time, one point per second that saw any. */
  series: z._default(z.array(z.object({ at: z.string(), sent: z.number(), failed: z._default(z.number(), 0) })), []),
});

export type JobDetail = z.infer<typeof jobDetailSchema>;
export type SeriesPoint = JobDetail['series'][number];

export const recipientSchema = z.object({
  contactId: z.string(),
  status: z.string(),
  /** Why it was skipped, or the provider's code when it failed. */
  reason: z.nullish(z.string()),
  /** Masked (`+91••••••3210`). */
  address: z.nullish(z.string()),
  messageId: z.nullish(z.string()),
  settledAt: z.nullish(z.string()),
});

export type Recipient = z.infer<typeof recipientSchema>;

export const recipientPageSchema = z.object({
  items: z.array(recipientSchema),
  nextCursor: z.nullable(z.string()),
});

export type RecipientPage = z.infer<typeof recipientPageSchema>;

// The request ------------------------------------------------------------------------------

export type JobContent =
  /** `headerMedia`: the uploaded header file (its `s3Key`) of a template whose header is an image, video or document. */
  | { type: 'template'; name: string; language: string; parameters: string[]; headerMedia?: { s3Key: string } }
  | { type: 'text'; body: string }
  | { type: 'email'; subject: string; text?: string; html?: string };

export type JobRecipients =
  | { type: 'contacts'; contactIds: string[] }
  | { type: 'filter'; optedIn: boolean; search?: string; createdFrom?: string; createdTo?: string }
  | { type: 'upload'; uploadId: string };

/** The body of POST /api/bulk-jobs/preview, and of POST /api/bulk-jobs without `confirmedCount`. */
export interface JobRequest {
  name?: string;
  channel: BulkChannel;
  sender: string;
  content: JobContent;
  recipients: JobRecipients;
}

export const PAGE_SIZE = 25;

/** Above this many eligible recipients the API wants the exact count confirmed. */
export const CONFIRMATION_THRESHOLD = 20;

export const bulkKeys = {
  all: ['bulk'] as const,
  lists: () => [...bulkKeys.all, 'list'] as const,
  list: (status: string) => [...bulkKeys.lists(), status] as const,
  detail: (jobId: string) => [...bulkKeys.all, 'detail', jobId] as const,
  recipients: (jobId: string, status: string) => [...bulkKeys.all, 'recipients', jobId, status] as const,
  report: (jobId: string) => [...bulkKeys.all, 'report', jobId] as const,
  preview: (request: JobRequest) => [...bulkKeys.all, 'preview', JSON.stringify(request)] as const,
  contacts: (q: string) => [...bulkKeys.all, 'contacts', q] as const,
};
