// Why this exists: one stack per environment, composed of the platform's constructs in the order
// they depend on each other — monitoring (the log group everyone writes to), data, messaging,
// functions, the inbound WhatsApp path, the bulk worker, the AI drafts, the template catalogue's
// refresh schedule (with WhatsApp senders only), API, hosting — and nothing else: no
// construct here reads the environment or a file; what differs between environments arrives as a
// validated EnvironmentConfig. Before building anything it applies the two rules no file can
// bend: only production is LIVE, and production switches no channel, nor the AI assistant, off
// (lib/readiness.ts).

import { Annotations, Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { assertSendModeAllowed, bedrockModelOf, type EnvironmentConfig, sendersOn, sendersVariable } from './config';
import { AI_DRAFTS_FUNCTION, AI_DRAFTS_TIMEOUT, AiDrafts } from './constructs/ai';
import { Api } from './constructs/api';
import { BULK_WORKER, BULK_WORKER_TIMEOUT, BulkWork } from './constructs/bulk';
import { Data } from './constructs/data';
import { Functions } from './constructs/functions';
import { Hosting } from './constructs/hosting';
import { InboundWhatsApp } from './constructs/inbound';
import { Messaging } from './constructs/messaging';
import { Monitoring } from './constructs/monitoring';
import { TEMPLATES_FUNCTION, TemplateCatalogueRefresh } from './constructs/templates';
import { readinessOf, ReadinessError } from './readiness';
import type { Schema } from './schema';
import type { FunctionWiring } from './wiring';

export interface WecareStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly schema: Schema;
  /** `<repo>/functions`, where each function's crate lives. */
  readonly functionsDir: string;
  /** Grants per function; lib/wiring.ts unless a test passes another table. */
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
  /** `make build`'s zips (`<dir>/<function>/bootstrap.zip`) instead of building with cargo-lambda. */
  readonly prebuiltLambdaDir?: string;
}

/** What a WhatsApp sender's id starts with; its ARN names the rest. */
const WHATSAPP_ID_PREFIX = 'phone-number-id-';

/** The function SNS invokes with inbound WhatsApp events. */
export const INBOUND_HANDLER = 'inbound-whatsapp-handler';

export class WecareStack extends Stack {
  readonly monitoring: Monitoring;
  readonly data: Data;
  readonly messaging: Messaging;
  readonly functions: Functions;
  readonly inbound: InboundWhatsApp;
  readonly bulk: BulkWork;
  readonly aiDrafts: AiDrafts;
  /** The schedule that keeps template catalogues fresh; none while no WhatsApp number is configured. */
  readonly templateRefresh?: TemplateCatalogueRefresh;
  readonly api: Api;
  readonly hosting: Hosting;

  constructor(scope: Construct, id: string, props: WecareStackProps) {
    const { config, schema } = props;
    super(scope, id, {
      ...props,
      env: { account: config.account, region: config.region },
      description: `WECARE.DIGITAL messaging platform (${config.environment})`,
      tags: { project: 'wecare-digital', environment: config.environment },
    });
    // The config loader checks this already; a stack must not depend on who built its config.
    assertSendModeAllowed(config.environment, config.sendMode);
    // A channel without a sender is refused in production and said everywhere else.
    const readiness = readinessOf(config);
    if (readiness.errors.length > 0) throw new ReadinessError(config.environment, readiness.errors);
    for (const warning of readiness.warnings) Annotations.of(this).addWarningV2(warning.id, warning.message);
    const production = config.environment === 'production';
    // A preview must come down with `cdk destroy`: its buckets are emptied on the way.
    const disposable = config.environment === 'preview';
    const prefix = config.resourcePrefix;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      environment: config.environment,
      resourcePrefix: prefix,
      logGroupName: config.logGroupName,
      logRetentionDays: config.logRetentionDays,
      alertEmails: config.alertEmails,
      production,
      sendsLive: config.sendMode === 'LIVE',
    });
    this.data = new Data(this, 'Data', { tables: schema.tables, resourcePrefix: prefix, production });
    // The worker's timeout is given to the function and, for its visibility timeout, to the queue
    // it consumes: one value, so the two cannot drift apart; likewise ai-generate-response's.
    this.messaging = new Messaging(this, 'Messaging', {
      resourcePrefix: prefix,
      production,
      inboundTopicArn: config.existing.inboundTopicArn,
      bulkConsumerTimeout: BULK_WORKER_TIMEOUT,
      aiConsumerTimeout: AI_DRAFTS_TIMEOUT,
    });

    const sharedRole = config.useExistingFunctionRole
      ? Role.fromRoleArn(this, 'ExistingFunctionRole', config.existing.functionRoleArn, { mutable: false })
      : undefined;
    if (sharedRole) {
      Annotations.of(this).addWarningV2(
        'wecare:existing-function-role',
        `All functions run as ${config.existing.functionRoleArn}; no permissions are granted by this app, so that role must already allow what lib/wiring.ts lists (sns:Publish on the alerts topic with kms:GenerateDataKey and kms:Decrypt on its key, sqs:SendMessage on inbound-dlq for ${INBOUND_HANDLER}, which is also its on-failure destination, and on outbound-dlq, sqs:ReceiveMessage, sqs:ChangeMessageVisibility and sqs:DeleteMessage on the three dead-letter queues for dlq-replay, the object actions on the media and reports buckets, sqs:SendMessage on ai-queue for ${INBOUND_HANDLER} and dlq-replay, the Bedrock actions on the knowledge base, the agent alias and the model (bedrock:RetrieveAndGenerate on "*"), and, once a WhatsApp number is configured, the template actions on the account's WhatsApp Business Accounts with social-messaging:ListLinkedWhatsAppBusinessAccounts, included), and what the event sources poll bulk-queue (${BULK_WORKER}) and ai-queue (${AI_DRAFTS_FUNCTION}) with (sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility, sqs:GetQueueAttributes).`,
      );
    }
    // What IAM names each configured sender by. A WhatsApp number's ARN carries its id without
    // the `phone-number-id-` prefix (EUM Social's ARN pattern is `phone-number-id/[0-9a-zA-Z]+`).
    const arn = (service: string, resource: string): string => `arn:${Aws.PARTITION}:${service}:${this.region}:${this.account}:${resource}`;
    const whatsAppNumbers = sendersOn(config.senders, 'whatsapp').map((s) => arn('social-messaging', `phone-number-id/${s.id.slice(WHATSAPP_ID_PREFIX.length)}`));
    // Template operations are authorized against the business account (`waba/<AWS id>`), whose
    // AWS id the configuration does not know (a sender carries Meta's account id): every linked
    // account of this account and region, and none while no number is configured.
    const whatsAppAccounts = whatsAppNumbers.length > 0 ? [arn('social-messaging', 'waba/*')] : [];
    const smsIdentities = sendersOn(config.senders, 'sms').map((s) => arn('sms-voice', s.id.startsWith('pool-') ? `pool/${s.id}` : `phone-number/${s.id}`));
    // SES authorizes a send against the address's identity when the address itself is verified,
    // else against its domain's: allow both, for these addresses' domains only.
    const emailIdentities = [
      ...new Set(sendersOn(config.senders, 'email').flatMap((s) => [s.id, s.id.slice(s.id.lastIndexOf('@') + 1).toLowerCase()])),
    ].map((identity) => arn('ses', `identity/${identity}`));
    // The AI assistant's resources, imported: the knowledge base, the agent's alias (none until
    // one is configured: production refuses that above) and the model the knowledge base answers
    // with. The loader has checked the model ARN's form, region and account.
    const model = bedrockModelOf(config.existing.bedrockModelArn);
    if (model === undefined) throw new Error(`existing.bedrockModelArn ${config.existing.bedrockModelArn} is neither a foundation model's nor an inference profile's ARN`);
    const { bedrockKnowledgeBaseId: knowledgeBaseId, bedrockAgentId: agentId, bedrockAgentAliasId: aliasId } = config.existing;
    const bedrock = {
      knowledgeBaseId,
      knowledgeBaseArn: arn('bedrock', `knowledge-base/${knowledgeBaseId}`),
      agentId,
      ...(aliasId === null ? {} : { agentAlias: { id: aliasId, arn: arn('bedrock', `agent-alias/${agentId}/${aliasId}`) } }),
      model,
    };
    this.functions = new Functions(this, 'Functions', {
      names: schema.functions,
      functionsDir: props.functionsDir,
      resourcePrefix: prefix,
      commonEnvironment: {
        SEND_MODE: config.sendMode,
        ENVIRONMENT: config.environment,
        LOG_LEVEL: config.logLevel,
        DEFAULT_PHONE_REGION: config.defaultPhoneRegion,
        WHATSAPP_META_API_VERSION: 'v20.0',
        // The platform's limits (specification): WhatsApp 80/s per number, SMS 5/s, email 10/s
        // (the SES account's rate). A sender's `ratePerSecond` overrides its channel's.
        RATE_WHATSAPP_PER_SECOND: '80',
        RATE_SMS_PER_SECOND: '5',
        RATE_EMAIL_PER_SECOND: '10',
        ...this.data.environment,
        ...this.messaging.environment,
      },
      logGroup: this.monitoring.logGroup,
      prebuiltLambdaDir: props.prebuiltLambdaDir,
      data: this.data,
      senders: {
        whatsapp: {
          // A send and nothing else: posting a file to WhatsApp before sending it (outbound-whatsapp)
          // and fetching inbound media (the inbound handler) are their wirings' `whatsApp`, so a
          // function that sends no files (bulk-worker) cannot post any.
          actions: ['social-messaging:SendWhatsAppMessage'],
          resources: whatsAppNumbers,
        },
        sms: { actions: ['sms-voice:SendTextMessage'], resources: smsIdentities },
        email: { actions: ['ses:SendEmail'], resources: emailIdentities },
      },
      sendersVariable: sendersVariable(config.senders),
      whatsAppNumbers,
      whatsAppAccounts,
      queues: this.messaging.queues,
      mediaBucket: Bucket.fromBucketName(this, 'MediaBucket', config.existing.mediaBucketName),
      reportsBucket: Bucket.fromBucketName(this, 'ReportsBucket', config.existing.reportsBucketName),
      alerts: { topic: this.monitoring.alertsTopic, key: this.monitoring.alertsKey },
      whatsAppTierLimit: config.whatsAppTierLimit,
      templateCatalogueMaxAgeMinutes: config.whatsAppTemplateCatalogueMaxAgeMinutes,
      sharedRole,
      bedrock,
      userPoolId: config.existing.cognitoUserPoolId,
      wiring: props.wiring,
      timeouts: new Map([
        [BULK_WORKER, BULK_WORKER_TIMEOUT],
        [AI_DRAFTS_FUNCTION, AI_DRAFTS_TIMEOUT],
      ]),
    });

    this.inbound = new InboundWhatsApp(this, 'InboundWhatsApp', {
      handler: this.functions.get(INBOUND_HANDLER),
      events: this.messaging.inboundEvents,
      deadLetterQueue: this.messaging.inboundDlq,
    });

    this.bulk = new BulkWork(this, 'BulkWork', {
      worker: this.functions.get(BULK_WORKER),
      queue: this.messaging.bulkQueue,
      maxConcurrency: config.bulk.workerConcurrency,
    });

    this.aiDrafts = new AiDrafts(this, 'AiDrafts', {
      drafter: this.functions.get(AI_DRAFTS_FUNCTION),
      queue: this.messaging.aiQueue,
    });

    // Like the template grants: with no WhatsApp number there is no business account to refresh,
    // and a schedule would only invoke the function to find none.
    if (whatsAppNumbers.length > 0) {
      this.templateRefresh = new TemplateCatalogueRefresh(this, 'TemplateCatalogueRefresh', {
        handler: this.functions.get(TEMPLATES_FUNCTION),
        maxAgeMinutes: config.whatsAppTemplateCatalogueMaxAgeMinutes,
        resourcePrefix: prefix,
      });
    }

    this.api = new Api(this, 'Api', {
      routes: schema.routes,
      functions: this.functions,
      resourcePrefix: prefix,
      userPoolId: config.existing.cognitoUserPoolId,
      tenancy: config.tenancy,
      extraAppClientIds: config.existing.cognitoAppClientIds,
      accessLogGroup: this.monitoring.logGroup,
    });

    this.hosting = new Hosting(this, 'Hosting', {
      environment: config.environment,
      resourcePrefix: prefix,
      apiOriginDomainName: this.api.originDomainName,
      webApplicationFirewall: config.webApplicationFirewall,
      domain: config.domain,
      production,
      disposable,
    });

    // The console's config.json, which the deploy publishes beside the bundle: the API on the
    // console's own origin (so no CORS is needed, whatever the domain) and how to sign in.
    const poolRegion = config.existing.cognitoUserPoolId.split('_')[0] ?? config.region;
    new CfnOutput(this, 'ConsoleConfig', {
      key: 'ConsoleConfig',
      description: 'config.json of the console, published with it',
      value: this.toJsonString({
        apiBase: '/api',
        region: poolRegion,
        cognitoEndpoint: `https://cognito-idp.${poolRegion}.amazonaws.com/`,
        userPoolId: config.existing.cognitoUserPoolId,
        userPoolClientId: this.api.consoleClient.userPoolClientId,
      }),
    });

    this.monitoring.watch({
      functions: new Map<string, IFunction>([...this.functions.all].map(([name, fn]) => [name, fn.function])),
      deadLetterQueues: new Map<string, IQueue>(this.messaging.deadLetterQueues.map((q) => [q.node.id, q])),
      api: this.api.httpApi,
    });
  }
}
