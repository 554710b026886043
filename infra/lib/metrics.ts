// Why this exists: the functions publish business metrics through CloudWatch's Embedded Metric
// Format (crates/http/src/metrics.rs); the dashboard can only graph them if both sides agree on
// namespace, metric names and dimensions. This file is the infra side of that contract.

/** Namespace of every EMF metric the functions print (`wecare_http::metrics::NAMESPACE`). */
export const METRICS_NAMESPACE = 'WECARE.DIGITAL';

/** Channels as the Rust `Channel::as_str` spells them. */
export const CHANNELS = ['whatsapp', 'sms', 'email'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * Delivery outcomes, counted once per message with dimensions `Environment` (the function's
 * `ENVIRONMENT`) and `Channel`: a send accepted by the provider (or recorded in DRY_RUN) counts
 * as succeeded; a send the provider rejected, or a `failed` delivery status, as failed.
 */
export const DELIVERY_SUCCEEDED = 'DeliverySucceeded';
export const DELIVERY_FAILED = 'DeliveryFailed';

/** The dimension set of the delivery metrics, in the order the EMF document declares them. */
export const DELIVERY_DIMENSIONS = ['Environment', 'Channel'] as const;

export const CHANNEL_TITLES: Readonly<Record<ChannelName, string>> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

/**
 * Bulk jobs, emitted by `bulk-worker` once per finished job (by the one invocation that completes
 * it) with dimensions `BULK_JOB_DIMENSIONS`:
 * - `BulkJobFailureRate` (Percent): recipients failed or of unknown outcome, over those attempted
 *   (sent + failed + unknown); 0 when none was attempted.
 * - `BulkJobDurationSeconds` (Seconds): from the job's creation to its completion.
 * - `BulkJobThroughput` (Count/Second): recipients attempted per second of that duration.
 */
export const BULK_JOB_FAILURE_RATE = 'BulkJobFailureRate';
export const BULK_JOB_DURATION_SECONDS = 'BulkJobDurationSeconds';
export const BULK_JOB_THROUGHPUT = 'BulkJobThroughput';

/** The dimension set of the per-job metrics above. */
export const BULK_JOB_DIMENSIONS = ['Environment', 'Channel'] as const;

/**
 * `BulkRecipients` (Count): a finished job's recipients with one outcome, emitted once per
 * outcome with dimensions `BULK_RECIPIENT_DIMENSIONS`.
 */
export const BULK_RECIPIENTS = 'BulkRecipients';

/** The dimension set of `BulkRecipients`. */
export const BULK_RECIPIENT_DIMENSIONS = ['Environment', 'Channel', 'Outcome'] as const;

/** Values of the `Outcome` dimension, as the worker spells them. */
export const BULK_OUTCOMES = ['sent', 'failed', 'unknown', 'skipped', 'cancelled'] as const;
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

/**
 * A finished job whose `BulkJobFailureRate` is above this (Maximum over 5 minutes, per channel)
 * raises an alarm: beyond ordinary bad numbers and addresses, something is wrong with the sender,
 * the template or the provider.
 */
export const BULK_FAILURE_RATE_ALARM_PERCENT = 10;

/**
 * `TemplateMessages` (Count): one per WhatsApp template message the provider accepted, counted
 * where the send settles (crates/messaging/src/pipeline.rs) per `Category` — what Meta bills by —
 * with dimensions `TEMPLATE_MESSAGE_DIMENSIONS`. A DRY_RUN send settles as `dry_run`, never as
 * sent, so only a LIVE environment (production) emits it.
 */
export const TEMPLATE_MESSAGES = 'TemplateMessages';

/**
 * The dimension every metric carries first (`wecare_http::metrics::ENVIRONMENT_DIMENSION`),
 * valued with the function's `ENVIRONMENT`: environments share the account's namespace.
 */
export const ENVIRONMENT_DIMENSION = 'Environment';

/** The dimension set of `TemplateMessages`. */
export const TEMPLATE_MESSAGE_DIMENSIONS = [ENVIRONMENT_DIMENSION, 'Category'] as const;

/** Values of the `Category` dimension, as the Rust `template::Category::as_str` spells them. */
export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/**
 * `AiErrors` (Count): a Bedrock call that gave no answer, counted where it failed
 * (crates/ai/src/query.rs, crates/ai/src/suggestions.rs) with dimensions `Environment`,
 * `Operation` and `Kind`, and, for a suggestion, `Origin` — the dimension sets of
 * `AI_ERROR_DIMENSION_SETS`. A question to the knowledge base that failed is also the caller's
 * 5xx; a draft that failed is the operator's error or, in the background, a retried request.
 */
export const AI_ERRORS = 'AiErrors';

/** Values of `Kind`, as `wecare_ai::query::kind_of` spells them. */
export const AI_ERROR_KINDS = ['throttled', 'unavailable'] as const;

/** Values of `Origin`, for a suggestion: asked for by an operator, or by automation (ai-queue). */
export const AI_ORIGINS = ['operator', 'automation'] as const;

/**
 * Every dimension set `AiErrors` is emitted with, behind `Environment`: a question
 * (`Operation=query`) per kind, and a suggestion (`Operation=suggestion`) per kind and origin.
 */
export const AI_ERROR_DIMENSION_SETS: readonly Readonly<Record<string, string>>[] = [
  ...AI_ERROR_KINDS.map((kind) => ({ Operation: 'query', Kind: kind })),
  ...AI_ERROR_KINDS.flatMap((kind) => AI_ORIGINS.map((origin) => ({ Operation: 'suggestion', Kind: kind, Origin: origin }))),
];

/**
 * `AiDraftsGivenUp` (Count): a request on `ai-queue` that `ai-generate-response` dropped after its
 * last receive or for a lasting reason, with the `Environment` dimension only.
 */
export const AI_DRAFTS_GIVEN_UP = 'AiDraftsGivenUp';

/**
 * `AiDraftRequestFailed` (Count): the inbound handler stored a customer's message but could not
 * ask for its automatic reply draft (functions/inbound-whatsapp-handler), with dimensions
 * `Environment` and `Reason`: the tenant's settings could not be read, or `ai-queue` refused the
 * request.
 */
export const AI_DRAFT_REQUEST_FAILED = 'AiDraftRequestFailed';

/** Values of `Reason`, as the inbound handler spells them. */
export const AI_DRAFT_REQUEST_FAILURE_REASONS = ['settings', 'queue'] as const;
