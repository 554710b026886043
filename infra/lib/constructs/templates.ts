// Why this exists: the console never waits on the provider for a template list — it answers from
// the catalogue stored in SystemConfig — and Meta's template status events keep that catalogue
// current only for what they report. A template edited or deleted in WhatsApp Manager, or a lost
// event, would stay unseen until someone pressed "sync". So an EventBridge schedule invokes
// `whatsapp-templates` with its default event (`source: "aws.events"`, no custom input), on which
// the function syncs every tenant's WhatsApp Business Account whose catalogue is older than
// `whatsAppTemplateCatalogueMaxAgeMinutes` (functions/whatsapp-templates/src/lib.rs, `refresh`).
// It runs every quarter of that age, so a catalogue is refreshed within 1.25 times it. A failed
// account fails the invocation and Lambda's asynchronous retries run it again, skipping the
// accounts already refreshed as recent; the function's errors alarm sees what still fails. What
// the function may touch is in lib/wiring.ts like every function's; the rule only invokes it.

import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The function that serves the template catalogue and refreshes it on the schedule. */
export const TEMPLATES_FUNCTION = 'whatsapp-templates';

/**
 * The shortest interval of the schedule: more often would only list every account at the
 * provider to find nothing old enough.
 */
export const MIN_REFRESH_INTERVAL = Duration.minutes(5);

/**
 * Retries of EventBridge's delivery of a scheduled event to the function (a throttle, Lambda
 * unavailable). Once delivered, a failed refresh is retried by Lambda's asynchronous invocation.
 */
export const REFRESH_RETRY_ATTEMPTS = 2;

/**
 * How long EventBridge keeps trying to deliver a scheduled event. Late is harmless — accounts
 * synced in the meantime are skipped — and further ticks follow every few minutes, so an hour is
 * plenty and nothing is held for EventBridge's default day.
 */
export const REFRESH_MAX_EVENT_AGE = Duration.hours(1);

/**
 * How often the schedule runs for a catalogue age of `maxAgeMinutes`: every quarter of it, whole
 * minutes, at least `MIN_REFRESH_INTERVAL`. A catalogue just short of the age at one tick is
 * synced at the next, so none grows older than 1.25 times the age (ages under 20 minutes: the age
 * plus 5 minutes).
 */
export function refreshInterval(maxAgeMinutes: number): Duration {
  return Duration.minutes(Math.max(MIN_REFRESH_INTERVAL.toMinutes(), Math.floor(maxAgeMinutes / 4)));
}

export interface TemplateCatalogueRefreshProps {
  /** The `whatsapp-templates` function. */
  readonly handler: IFunction;
  /** `whatsAppTemplateCatalogueMaxAgeMinutes`, which the function is told too. */
  readonly maxAgeMinutes: number;
  /** Physical name = prefix + `whatsapp-template-refresh`. */
  readonly resourcePrefix: string;
}

export class TemplateCatalogueRefresh extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: TemplateCatalogueRefreshProps) {
    super(scope, id);
    const interval = refreshInterval(props.maxAgeMinutes);
    this.rule = new Rule(this, 'Schedule', {
      ruleName: `${props.resourcePrefix}whatsapp-template-refresh`,
      description: `Every ${interval.toHumanString()}: ${TEMPLATES_FUNCTION} syncs the WhatsApp template catalogues older than ${props.maxAgeMinutes} minutes`,
      schedule: Schedule.rate(interval),
    });
    // No `event`: the function recognises the schedule by the default event's `source:
    // "aws.events"`. The target adds the Lambda permission for events.amazonaws.com, scoped to
    // this rule's ARN (a resource policy on the function, so the shared role needs nothing).
    this.rule.addTarget(
      new LambdaFunction(props.handler, {
        retryAttempts: REFRESH_RETRY_ATTEMPTS,
        maxEventAge: REFRESH_MAX_EVENT_AGE,
      }),
    );
  }
}
