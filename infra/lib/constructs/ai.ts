// Why this exists: the background half of the AI assistant. With a tenant's AI automation on, the
// inbound handler (and a replayed inbound event) puts a request for a draft of each new text on
// `ai-queue`; Lambda's SQS event source hands it to `ai-generate-response`, which drafts a
// suggestion with the Bedrock agent for an operator to approve, edit or reject — nothing is ever
// sent without one. The function reports the requests it wants again (ReportBatchItemFailures);
// after AI_MAX_RECEIVES receives it gives a request up itself (logged, counted as AiDraftsGivenUp,
// alarmed in constructs/monitoring.ts), which is why `ai-queue` has no dead-letter queue
// (constructs/messaging.ts). What the function may touch is in lib/wiring.ts like every function's.

import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT } from './rust-function';

/** The function that drafts replies: `ai-queue`'s consumer, and the suggestion routes' function. */
export const AI_DRAFTS_FUNCTION = 'ai-generate-response';

/** The function that answers questions from the knowledge base. */
export const AI_QUERY_FUNCTION = 'ai-query-kb';

/**
 * How long one Bedrock call may take (`AI_TIMEOUT_MS` of both AI functions; the Rust default,
 * `wecare_ai::DEFAULT_TIMEOUT`, is the same). Both serve API routes, so their timeout is the API
 * functions' (29 s, within API Gateway's): this leaves a call's answer time to be stored and
 * returned, and a slow Bedrock call ends as the function's own error answer rather than as API
 * Gateway's timeout.
 */
export const AI_CALL_TIMEOUT = Duration.seconds(25);

/**
 * `ai-generate-response`'s timeout: an API function's (it serves the suggestion routes), given to
 * the function and, for its visibility timeout, to `ai-queue`, so that the two cannot drift apart.
 */
export const AI_DRAFTS_TIMEOUT = FUNCTION_TIMEOUT;

/**
 * Requests per invocation: one. The function drafts a batch's requests one after another, and each
 * draft may wait up to AI_CALL_TIMEOUT on the agent, so only a batch of one is sure to end within
 * the function's timeout; a second request would be cut off and drafted again.
 */
export const AI_BATCH_SIZE = 1;

/**
 * Most `ai-generate-response` invocations the event source runs at once (2 is the least Lambda
 * accepts): drafts are background work, and the account's Lambda concurrency and the agent's
 * Bedrock quota belong first to operators' own requests.
 */
export const AI_MAX_CONCURRENCY = 2;

/**
 * Receives after which `ai-generate-response` gives a request up (`MAX_RECEIVES` in
 * functions/ai-generate-response/src/lib.rs): a draft late by more than a few minutes is of little
 * use to an operator who is already answering.
 */
export const AI_MAX_RECEIVES = 3;

export interface AiDraftsProps {
  /** The `ai-generate-response` function. */
  readonly drafter: LambdaFunction;
  /** `ai-queue`. */
  readonly queue: IQueue;
}

export class AiDrafts extends Construct {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: AiDraftsProps) {
    super(scope, id);
    // The event source grants the function's role what polling takes — sqs:ReceiveMessage,
    // DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl — on ai-queue only
    // (SQS-managed encryption needs no key grant). The function never sends there.
    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: AI_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: AI_MAX_CONCURRENCY,
    });
    props.drafter.addEventSource(this.eventSource);
  }
}
