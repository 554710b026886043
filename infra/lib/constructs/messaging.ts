// Why this exists: the asynchronous paths of DESIGN §5 meet here — the existing SNS topic on which
// End User Messaging Social publishes inbound WhatsApp events (imported, never created), the bulk
// work queue with its redrive, the queue of AI draft requests, and the dead-letter queues the DLQ
// replay tool reads — with the rules the queues must keep: SSE and TLS-only access, 14 days to
// look at a failure, and a visibility timeout of at least six times the consumer's timeout
// (Lambda's SQS integration otherwise redelivers a batch that is still being worked on).

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How long a failed message waits in a dead-letter queue for replay: SQS's maximum. */
export const DLQ_RETENTION = Duration.days(14);

/** Receives of a bulk chunk before it moves to `bulk-dlq` (DESIGN §5: at most 5 attempts). */
export const BULK_MAX_RECEIVE_COUNT = 5;

/**
 * How long a request for an AI draft waits on `ai-queue`. A draft is worth something only while
 * the operator has not answered the customer yet: one later than an hour is of no use, so an older
 * request is dropped by SQS rather than drafted.
 */
export const AI_QUEUE_RETENTION = Duration.hours(1);

/** Lambda's SQS event source wants visibility ≥ 6 × the consumer's timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** SQS's ceiling for a queue's visibility timeout. */
export const MAX_VISIBILITY_TIMEOUT = Duration.hours(12);

/**
 * The visibility timeout of a queue consumed by a function with `consumerTimeout`: exactly
 * `VISIBILITY_TO_TIMEOUT_RATIO` times it, so a batch still being worked on (or retried by Lambda's
 * poller after a throttle) is not handed to a second invocation.
 */
export function visibilityTimeoutFor(consumerTimeout: Duration): Duration {
  const visibility = Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO);
  if (visibility.toSeconds() > MAX_VISIBILITY_TIMEOUT.toSeconds()) {
    throw new Error(`a consumer timeout of ${consumerTimeout.toHumanString()} needs a visibility timeout of ${visibility.toHumanString()}, beyond SQS's ${MAX_VISIBILITY_TIMEOUT.toHumanString()}`);
  }
  return visibility;
}

/** Names of the queues, as in the specification and the local stack. */
export type QueueName = 'inbound-dlq' | 'bulk-queue' | 'bulk-dlq' | 'outbound-dlq' | 'ai-queue';

export interface MessagingProps {
  /** Physical name = prefix + queue name, as the local stack names them. */
  readonly resourcePrefix: string;
  readonly production: boolean;
  /** The existing topic of inbound WhatsApp events (`existing.inboundTopicArn`). */
  readonly inboundTopicArn: string;
  /**
   * The timeout of bulk-queue's consumer (bulk-worker), from which the queue's visibility timeout
   * is derived: the stack passes the one value it also gives the function.
   */
  readonly bulkConsumerTimeout: Duration;
  /**
   * The timeout of ai-queue's consumer (ai-generate-response), from which that queue's visibility
   * timeout is derived likewise.
   */
  readonly aiConsumerTimeout: Duration;
}

export class Messaging extends Construct {
  /** Inbound WhatsApp events, for `inbound-whatsapp-handler` to subscribe to (with `inboundDlq`). */
  readonly inboundEvents: ITopic;
  readonly inboundDlq: Queue;
  readonly bulkQueue: Queue;
  readonly bulkDlq: Queue;
  readonly outboundDlq: Queue;
  /** Requests for AI drafts, from the inbound handler to `ai-generate-response`. */
  readonly aiQueue: Queue;
  /** Every queue by name, for a wiring's `sendsTo`. */
  readonly queues: ReadonlyMap<QueueName, Queue>;
  /** Environment variable → queue URL, for every function. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.inboundEvents = Topic.fromTopicArn(this, 'InboundEvents', props.inboundTopicArn);
    const removalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const secured = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy } as const;

    const deadLetterQueue = (name: QueueName, holds: string): Queue => {
      const queue = new Queue(this, name, { ...secured, queueName: `${props.resourcePrefix}${name}`, retentionPeriod: DLQ_RETENTION });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: `${name} is itself a dead-letter queue (${holds}); its messages are replayed by dlq-replay, and a further DLQ behind it would only hide failures from that tool and from the depth alarm.`,
      });
      return queue;
    };

    this.inboundDlq = deadLetterQueue('inbound-dlq', 'inbound WhatsApp events the handler could not process');
    this.bulkDlq = deadLetterQueue('bulk-dlq', `bulk chunks that failed ${BULK_MAX_RECEIVE_COUNT} receives`);
    this.outboundDlq = deadLetterQueue('outbound-dlq', 'asynchronous sends that failed on the platform\'s side, such as the inbound handler\'s STOP confirmation');
    this.bulkQueue = new Queue(this, 'bulk-queue', {
      ...secured,
      queueName: `${props.resourcePrefix}bulk-queue`,
      // Derived from the consumer's (bulk-worker's) timeout, never written down on its own.
      visibilityTimeout: visibilityTimeoutFor(props.bulkConsumerTimeout),
      deadLetterQueue: { queue: this.bulkDlq, maxReceiveCount: BULK_MAX_RECEIVE_COUNT },
    });

    // No dead-letter queue on purpose: ai-generate-response gives a request up itself once it has
    // been received AI_MAX_RECEIVES times (constructs/ai.ts), logging it and counting it as
    // AiDraftsGivenUp, whose alarm calls an operator; a request that crashed the function every
    // time is dropped by the retention, each crash counted by the function's errors alarm. A
    // dead-lettered draft request would be stale long before anyone could replay it.
    this.aiQueue = new Queue(this, 'ai-queue', {
      ...secured,
      queueName: `${props.resourcePrefix}ai-queue`,
      retentionPeriod: AI_QUEUE_RETENTION,
      visibilityTimeout: visibilityTimeoutFor(props.aiConsumerTimeout),
    });
    Validations.of(this.aiQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: `ai-queue has no dead-letter queue on purpose: ai-generate-response gives a draft request up itself after its third receive, logged and counted as the AiDraftsGivenUp metric (alarmed), and SQS drops any request older than its ${AI_QUEUE_RETENTION.toHumanString()} retention; a draft that late is of no use to an operator, so a DLQ would only collect requests nobody should replay.`,
    });

    this.queues = new Map<QueueName, Queue>([
      ['inbound-dlq', this.inboundDlq],
      ['bulk-queue', this.bulkQueue],
      ['bulk-dlq', this.bulkDlq],
      ['outbound-dlq', this.outboundDlq],
      ['ai-queue', this.aiQueue],
    ]);
    this.environment = {
      INBOUND_DLQ_URL: this.inboundDlq.queueUrl,
      BULK_QUEUE_URL: this.bulkQueue.queueUrl,
      BULK_DLQ_URL: this.bulkDlq.queueUrl,
      OUTBOUND_DLQ_URL: this.outboundDlq.queueUrl,
      AI_QUEUE_URL: this.aiQueue.queueUrl,
    };
  }

  /** The dead-letter queues, each watched by a depth alarm. */
  get deadLetterQueues(): readonly Queue[] {
    return [this.inboundDlq, this.bulkDlq, this.outboundDlq];
  }
}
