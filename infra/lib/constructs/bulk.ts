// Why this exists: the asynchronous half of a bulk campaign. `bulk-job-create` and
// `bulk-job-control` put work on `bulk-queue` (expand a job, a chunk of recipients, a completion
// check, a sweep); Lambda's SQS event source hands it to `bulk-worker` a few messages at a time and
// never to more than `bulk.workerConcurrency` workers at once. The worker reports the messages it
// could not finish (ReportBatchItemFailures), so SQS redelivers only those, after the visibility
// timeout; a message that failed BULK_MAX_RECEIVE_COUNT receives moves to `bulk-dlq`
// (constructs/messaging.ts), whose depth alarm calls an operator. What the worker may touch is in
// lib/wiring.ts like every function's.

import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The function that consumes `bulk-queue`. */
export const BULK_WORKER = 'bulk-worker';

/**
 * The worker's timeout. Longer than an API function's so a chunk of 100 recipients gets through a
 * slow channel's pacing (SMS at 5 per second) in one invocation; the worker stops taking recipients
 * shortly before it and re-enqueues the rest of its chunk. No route serves the worker, so API
 * Gateway's limit does not apply. `bulk-queue`'s visibility timeout is derived from it.
 */
export const BULK_WORKER_TIMEOUT = Duration.minutes(2);

/**
 * Messages per invocation. Each is settled on its own (a failed one is reported and redelivered
 * alone), and the worker processes them concurrently, so a handful keeps an invocation busy without
 * making one slow chunk hold many others back until the deadline.
 */
export const BULK_BATCH_SIZE = 5;

export interface BulkWorkProps {
  /** The `bulk-worker` function. */
  readonly worker: LambdaFunction;
  /** `bulk-queue`. */
  readonly queue: IQueue;
  /** Most workers the event source runs at once (`bulk.workerConcurrency`). */
  readonly maxConcurrency: number;
}

export class BulkWork extends Construct {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: BulkWorkProps) {
    super(scope, id);
    // The event source grants the worker's role what polling takes — sqs:ReceiveMessage,
    // DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl — on bulk-queue only
    // (SQS-managed encryption needs no key grant). Sending to the queue is its wiring's `sendsTo`.
    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: BULK_BATCH_SIZE,
      reportBatchItemFailures: true,
      // The sends of concurrent workers share the senders' rate buckets (RateLimitTrackers): more
      // workers than the channels' rates can use would only wait on the buckets while holding
      // account concurrency the API needs.
      maxConcurrency: props.maxConcurrency,
    });
    props.worker.addEventSource(this.eventSource);
  }
}
