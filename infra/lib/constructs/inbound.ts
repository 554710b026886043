// Why this exists: the production path of an inbound WhatsApp event (DESIGN §5). End User
// Messaging Social publishes to the existing topic; SNS invokes `inbound-whatsapp-handler`
// asynchronously; Lambda retries a failed event, and what still fails lands in `inbound-dlq` for
// dlq-replay — the path the local stack imitates with a queue and a pump (crates/local). Its
// table, bucket, WhatsApp and queue permissions are in lib/wiring.ts like every function's, and it
// finds the tenant of each event's number in SENDERS (the messaging config's).

import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Retries of a failed invocation (Lambda's maximum): the handler is idempotent per message. */
export const INBOUND_RETRY_ATTEMPTS = 2;

/**
 * How long an event may wait in Lambda's asynchronous queue (throttled, or Lambda erroring)
 * before it goes to `inbound-dlq` untried. An hour rides out a throttling burst or a regional
 * blip; beyond that an operator should see the messages (the depth alarm) rather than have
 * Lambda hold them silently for its default six hours. Nothing is lost either way: a replayed
 * event is stored once and statuses only move forward, so late is safe.
 */
export const INBOUND_MAX_EVENT_AGE = Duration.hours(1);

export interface InboundWhatsAppProps {
  /** The `inbound-whatsapp-handler` function. */
  readonly handler: LambdaFunction;
  /** The existing topic EUM Social publishes to. */
  readonly events: ITopic;
  /** `inbound-dlq`. */
  readonly deadLetterQueue: IQueue;
}

export class InboundWhatsApp extends Construct {
  constructor(scope: Construct, id: string, props: InboundWhatsAppProps) {
    super(scope, id);
    const { handler, deadLetterQueue } = props;

    // Three ways an event ends in inbound-dlq:
    // - The handler reads an event it must not store — for a WhatsApp number no tenant owns, or
    //   malformed — and sends it there itself, with the reason (INBOUND_DLQ_URL, which every
    //   function has; sqs:SendMessage on this queue only, from its wiring).
    // - SNS cannot hand the event to Lambda at all (function missing, no invoke permission,
    //   SNS's own delivery retries exhausted): the subscription's dead-letter queue gets the
    //   SNS notification — the format the local stack's redrive leaves in inbound-dlq too. SNS may send there through the queue policy CDK adds, for this
    //   topic only.
    // - Lambda accepted it but the handler kept failing (or it aged out): the on-failure
    //   destination gets Lambda's invocation record, whose `requestPayload` is the original SNS
    //   event and whose `requestContext` / `responsePayload` say why (RetriesExhausted or
    //   EventAgeExceeded, the error). Chosen over the function's DeadLetterConfig, which carries
    //   the event without the reason and is frozen into published versions; one of the two is
    //   enough. Lambda sends it with the function's role (sqs:SendMessage, granted by
    //   SqsDestination; the shared existing role must allow it itself).
    props.events.addSubscription(new LambdaSubscription(handler, { deadLetterQueue }));
    handler.configureAsyncInvoke({
      retryAttempts: INBOUND_RETRY_ATTEMPTS,
      maxEventAge: INBOUND_MAX_EVENT_AGE,
      onFailure: new SqsDestination(deadLetterQueue),
    });
  }
}
