// Why this exists: operators learn about trouble from here. It owns the log group every function
// and the API write to (the specification's `/base-wecare-digital/common`), the alerts topic (the
// send path publishes its messaging-tier warning there too), one alarm per failure that needs a
// human — a function erroring or throttled, a message in a dead-letter queue, the API answering
// 5xx, a bulk job finishing with too many failures, Bedrock failing the AI assistant or a draft
// request given up — and the dashboard of delivery and bulk jobs
// per channel (and, where sends are live, WhatsApp template messages per category) that the
// functions' EMF metrics feed.

import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AI_DRAFT_REQUEST_FAILED,
  AI_DRAFT_REQUEST_FAILURE_REASONS,
  AI_DRAFTS_GIVEN_UP,
  AI_ERROR_DIMENSION_SETS,
  AI_ERRORS,
  BULK_FAILURE_RATE_ALARM_PERCENT,
  BULK_JOB_DURATION_SECONDS,
  BULK_JOB_FAILURE_RATE,
  BULK_JOB_THROUGHPUT,
  BULK_OUTCOMES,
  BULK_RECIPIENTS,
  type BulkOutcome,
  CHANNEL_TITLES,
  CHANNELS,
  type ChannelName,
  DELIVERY_FAILED,
  DELIVERY_SUCCEEDED,
  METRICS_NAMESPACE,
  TEMPLATE_CATEGORIES,
  TEMPLATE_MESSAGES,
  type TemplateCategory,
} from '../metrics';

export interface MonitoringProps {
  readonly environment: string;
  readonly resourcePrefix: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly alertEmails: readonly string[];
  readonly production: boolean;
  /**
   * Whether the functions call the providers (`SEND_MODE=LIVE`). Only then are template messages
   * counted (`TemplateMessages`, which has no `Environment` dimension): a DRY_RUN dashboard would
   * graph another environment's sends under its own name, so it gets no such graph.
   */
  readonly sendsLive: boolean;
}

export interface Watched {
  /** Functions by name. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** Dead-letter queues by name. */
  readonly deadLetterQueues: ReadonlyMap<string, IQueue>;
  readonly api: HttpApi;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Colours of the template categories on the dashboard. */
const CATEGORY_COLOURS: Readonly<Record<TemplateCategory, string>> = {
  MARKETING: '#9467bd',
  UTILITY: '#1f77b4',
  AUTHENTICATION: '#17becf',
};

/** Colours of the bulk outcomes on the dashboard. */
const OUTCOME_COLOURS: Readonly<Record<BulkOutcome, string>> = {
  sent: '#2ca02c',
  failed: '#d62728',
  unknown: '#ff7f0e',
  skipped: '#7f7f7f',
  cancelled: '#9467bd',
};

export class Monitoring extends Construct {
  readonly logGroup: LogGroup;
  readonly alertsTopic: Topic;
  /** The key the alerts topic is encrypted with; whoever publishes to the topic must use it. */
  readonly alertsKey: Key;
  readonly alarms: Alarm[] = [];
  private readonly props: MonitoringProps;
  private readonly alarmAction: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    const removalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.logGroup = new LogGroup(this, 'CommonLogGroup', {
      logGroupName: props.logGroupName,
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy,
    });

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the
    // topic gets its own key that CloudWatch may use.
    const key = new Key(this, 'AlertsKey', {
      description: `Encrypts the ${props.environment} alerts topic of WECARE.DIGITAL`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.alertsKey = key;
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alertsTopic = new Topic(this, 'AlertsTopic', {
      topicName: `${props.resourcePrefix}alerts`,
      displayName: `WECARE.DIGITAL ${props.environment} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.alertEmails) this.alertsTopic.addSubscription(new EmailSubscription(email));
    this.alarmAction = new SnsAction(this.alertsTopic);

    new CfnOutput(this, 'AlertsTopicArn', { key: 'AlertsTopicArn', value: this.alertsTopic.topicArn });
    new CfnOutput(this, 'CommonLogGroupName', { key: 'CommonLogGroupName', value: this.logGroup.logGroupName });
  }

  /** Alarms on everything in `watched` and the operations dashboard; call once. */
  watch(watched: Watched): Dashboard {
    for (const [name, fn] of watched.functions) {
      this.alarm(`${name}-errors`, `${name} failed an invocation (Errors ≥ 1 in 5 minutes)`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
      this.alarm(`${name}-throttles`, `${name} was throttled (Throttles ≥ 1 in 5 minutes)`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
    }
    for (const [name, queue] of watched.deadLetterQueues) {
      this.alarm(
        `${name}-depth`,
        `${name} holds messages that failed processing; inspect them and replay them with dlq-replay`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        1,
      );
    }
    this.alarm('api-5xx', 'The API answered 5xx (≥ 1 in 5 minutes)', watched.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
    // One per channel, so the notification names the channel; the metric exists only when a job
    // finishes, so no data is no failure.
    for (const channel of CHANNELS) {
      this.alarm(
        `bulk-job-failure-rate-${channel}`,
        `A ${CHANNEL_TITLES[channel]} bulk job finished with more than ${BULK_FAILURE_RATE_ALARM_PERCENT} % of its attempted recipients failed or unknown (${BULK_JOB_FAILURE_RATE} Maximum in 5 minutes); check the sender, the template and the job's report`,
        this.bulkJobMetric(BULK_JOB_FAILURE_RATE, channel, 'Maximum'),
        BULK_FAILURE_RATE_ALARM_PERCENT,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    // The AI assistant: every dimension set AiErrors is emitted with, summed (an alarm cannot
    // search), and the draft requests ai-generate-response gave up. Both exist only when something
    // failed, so no data is no failure.
    const aiErrors = AI_ERROR_DIMENSION_SETS.map(
      (dimensions) =>
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: AI_ERRORS,
          dimensionsMap: { Environment: this.props.environment, ...dimensions },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
    );
    this.alarm(
      'ai-errors',
      `Bedrock gave the AI assistant no answer (${AI_ERRORS} ≥ 1 in 5 minutes: throttled, failed or too slow), for a question to the knowledge base or a reply draft; check Bedrock's quotas and the knowledge base, agent and model of the configuration`,
      new MathExpression({
        expression: `SUM([${aiErrors.map((_, i) => `e${i}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(aiErrors.map((metric, i) => [`e${i}`, metric])),
        label: AI_ERRORS,
        period: FIVE_MINUTES,
      }),
      1,
    );
    this.alarm(
      'ai-drafts-given-up',
      `ai-generate-response gave up a request on ai-queue for an automatic reply draft (${AI_DRAFTS_GIVEN_UP} ≥ 1 in 5 minutes): the customer's message is stored, but no draft waits for the operator; its log says why`,
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: AI_DRAFTS_GIVEN_UP,
        dimensionsMap: { Environment: this.props.environment },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      1,
    );
    // A draft the inbound handler could not ask for is lost as surely as one given up, and no
    // queue holds it; summed over its reasons for the same reason as AiErrors.
    const requestFailures = AI_DRAFT_REQUEST_FAILURE_REASONS.map(
      (reason) =>
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: AI_DRAFT_REQUEST_FAILED,
          dimensionsMap: { Environment: this.props.environment, Reason: reason },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
    );
    this.alarm(
      'ai-draft-requests-failed',
      `inbound-whatsapp-handler stored a customer's message but could not ask for its automatic reply draft (${AI_DRAFT_REQUEST_FAILED} ≥ 1 in 5 minutes: the tenant's settings were unreadable or ai-queue refused the request); no draft waits for the operator, who can still ask for one in the conversation, and the handler's log says why`,
      new MathExpression({
        expression: `SUM([${requestFailures.map((_, i) => `r${i}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(requestFailures.map((metric, i) => [`r${i}`, metric])),
        label: AI_DRAFT_REQUEST_FAILED,
        period: FIVE_MINUTES,
      }),
      1,
    );
    return this.dashboard(watched);
  }

  /** A per-job bulk metric of one channel (dimensions Environment, Channel). */
  private bulkJobMetric(metricName: string, channel: ChannelName, statistic: string, label?: string): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { Environment: this.props.environment, Channel: channel },
      statistic,
      period: FIVE_MINUTES,
      ...(label === undefined ? {} : { label }),
    });
  }

  private alarm(
    name: string,
    description: string,
    metric: IMetric,
    threshold: number,
    comparisonOperator: ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): void {
    const alarm = new Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.props.resourcePrefix}${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.push(alarm);
  }

  private dashboard(watched: Watched): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${this.props.resourcePrefix}operations`,
      defaultInterval: Duration.hours(24),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# WECARE.DIGITAL — ${this.props.environment}\nDelivery and bulk jobs per channel${this.props.sendsLive ? ' and WhatsApp template messages per category' : ''} from the functions' EMF metrics (namespace \`${METRICS_NAMESPACE}\`), then the API, the functions and the dead-letter queues.`,
        width: 24,
        height: 2,
      }),
    );

    dashboard.addWidgets(
      ...CHANNELS.map((channel) => {
        const delivery = (metricName: string, label: string, color: string): Metric =>
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { Environment: this.props.environment, Channel: channel },
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label,
            color,
          });
        const ok = delivery(DELIVERY_SUCCEEDED, 'succeeded', '#2ca02c');
        const failed = delivery(DELIVERY_FAILED, 'failed', '#d62728');
        return new GraphWidget({
          title: `${CHANNEL_TITLES[channel]} delivery`,
          left: [ok, failed],
          right: [
            new MathExpression({
              expression: 'IF(ok + failed > 0, 100 * ok / (ok + failed))',
              usingMetrics: { ok, failed },
              label: 'success %',
              period: FIVE_MINUTES,
            }),
          ],
          rightYAxis: { min: 0, max: 100, label: '%', showUnits: false },
          leftYAxis: { min: 0, showUnits: false },
          width: 8,
        });
      }),
    );

    // WhatsApp template messages the provider accepted, per category (what Meta bills by), stacked.
    if (this.props.sendsLive) {
      dashboard.addWidgets(
        new GraphWidget({
          title: 'WhatsApp template messages sent, per category',
          left: TEMPLATE_CATEGORIES.map(
            (category) =>
              new Metric({
                namespace: METRICS_NAMESPACE,
                metricName: TEMPLATE_MESSAGES,
                dimensionsMap: { Environment: this.props.environment, Category: category },
                statistic: 'Sum',
                period: FIVE_MINUTES,
                label: category.toLowerCase(),
                color: CATEGORY_COLOURS[category],
              }),
          ),
          stacked: true,
          leftYAxis: { min: 0, showUnits: false },
          width: 24,
        }),
      );
    }

    // Bulk jobs: what finished jobs did with their recipients, and their failure rate against the
    // alarm's threshold; then how long jobs took and how fast they sent.
    const failureThreshold: HorizontalAnnotation = { value: BULK_FAILURE_RATE_ALARM_PERCENT, label: 'alarm', color: '#d62728' };
    dashboard.addWidgets(
      ...CHANNELS.map(
        (channel) =>
          new GraphWidget({
            title: `${CHANNEL_TITLES[channel]} bulk recipients`,
            left: BULK_OUTCOMES.map(
              (outcome) =>
                new Metric({
                  namespace: METRICS_NAMESPACE,
                  metricName: BULK_RECIPIENTS,
                  dimensionsMap: { Environment: this.props.environment, Channel: channel, Outcome: outcome },
                  statistic: 'Sum',
                  period: FIVE_MINUTES,
                  label: outcome,
                  color: OUTCOME_COLOURS[outcome],
                }),
            ),
            right: [this.bulkJobMetric(BULK_JOB_FAILURE_RATE, channel, 'Maximum', 'job failure % (max)')],
            rightYAxis: { min: 0, max: 100, label: '%', showUnits: false },
            rightAnnotations: [failureThreshold],
            leftYAxis: { min: 0, showUnits: false },
            width: 8,
          }),
      ),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Bulk job duration (max, seconds)',
        left: CHANNELS.map((channel) => this.bulkJobMetric(BULK_JOB_DURATION_SECONDS, channel, 'Maximum', CHANNEL_TITLES[channel])),
        leftYAxis: { min: 0, showUnits: false },
        width: 12,
      }),
      new GraphWidget({
        title: 'Bulk job throughput (average, recipients per second)',
        left: CHANNELS.map((channel) => this.bulkJobMetric(BULK_JOB_THROUGHPUT, channel, 'Average', CHANNEL_TITLES[channel])),
        leftYAxis: { min: 0, showUnits: false },
        width: 12,
      }),
    );

    const api = watched.api;
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [
          api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'requests' }),
          api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }),
          api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum', label: '5xx' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency',
        left: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p95', label: 'p95' }), api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50', label: 'p50' })],
        width: 12,
      }),
    );

    const functions = [...watched.functions.entries()];
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Function throttles',
        left: functions.map(([name, fn]) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: name })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Function duration p95',
        left: functions.map(([name, fn]) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p95', label: name })),
        width: 8,
      }),
    );

    dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queue depth',
        left: [...watched.deadLetterQueues.entries()].map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name }),
        ),
        width: 24,
      }),
    );
    return dashboard;
  }
}
