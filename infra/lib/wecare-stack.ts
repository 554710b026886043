// Why this exists: one stack per environment, composed of the platform's constructs in the order
// they depend on each other — monitoring (the log group everyone writes to), data, messaging,
// functions, the inbound WhatsApp path, API, hosting — and nothing else: no construct here reads
// the environment or a file; what differs between environments arrives as a validated
// EnvironmentConfig.

import { Annotations, Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { assertSendModeAllowed, type EnvironmentConfig, tenantOfEachNumber } from './config';
import { Api } from './constructs/api';
import { Data } from './constructs/data';
import { Functions } from './constructs/functions';
import { Hosting } from './constructs/hosting';
import { InboundWhatsApp } from './constructs/inbound';
import { Messaging } from './constructs/messaging';
import { Monitoring } from './constructs/monitoring';
import type { Schema } from './schema';
import type { FunctionWiring } from './wiring';

export interface WecareStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly schema: Schema;
  /** `<repo>/functions`, where each function's crate lives. */
  readonly functionsDir: string;
  /** Grants per function; lib/wiring.ts unless a test passes another table. */
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
}

/** The function SNS invokes with inbound WhatsApp events. */
export const INBOUND_HANDLER = 'inbound-whatsapp-handler';

export class WecareStack extends Stack {
  readonly monitoring: Monitoring;
  readonly data: Data;
  readonly messaging: Messaging;
  readonly functions: Functions;
  readonly inbound: InboundWhatsApp;
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
    const production = config.environment === 'production';
    const prefix = config.resourcePrefix;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      environment: config.environment,
      resourcePrefix: prefix,
      logGroupName: config.logGroupName,
      logRetentionDays: config.logRetentionDays,
      alertEmails: config.alertEmails,
      production,
    });
    this.data = new Data(this, 'Data', { tables: schema.tables, resourcePrefix: prefix, production });
    this.messaging = new Messaging(this, 'Messaging', { resourcePrefix: prefix, production, inboundTopicArn: config.existing.inboundTopicArn });

    const sharedRole = config.useExistingFunctionRole
      ? Role.fromRoleArn(this, 'ExistingFunctionRole', config.existing.functionRoleArn, { mutable: false })
      : undefined;
    if (sharedRole) {
      Annotations.of(this).addWarningV2(
        'wecare:existing-function-role',
        `All functions run as ${config.existing.functionRoleArn}; no permissions are granted by this app, so that role must already allow what lib/wiring.ts lists (sns:Publish on the alerts topic with kms:GenerateDataKey and kms:Decrypt on its key included), and sqs:SendMessage on inbound-dlq (the on-failure destination of ${INBOUND_HANDLER}).`,
      );
    }
    const whatsAppNumbers = config.existing.whatsAppPhoneNumberIds.map(
      (id) => `arn:${Aws.PARTITION}:social-messaging:${this.region}:${this.account}:phone-number-id/${id}`,
    );
    this.functions = new Functions(this, 'Functions', {
      names: schema.functions,
      functionsDir: props.functionsDir,
      resourcePrefix: prefix,
      commonEnvironment: {
        SEND_MODE: config.sendMode,
        ENVIRONMENT: config.environment,
        LOG_LEVEL: config.logLevel,
        DEFAULT_TENANT_ID: config.defaultTenantId,
        DEFAULT_PHONE_REGION: config.defaultPhoneRegion,
        WHATSAPP_PHONE_NUMBER_IDS: config.existing.whatsAppPhoneNumberIds.join(','),
        WHATSAPP_META_API_VERSION: 'v20.0',
        SMS_ORIGINATION_IDENTITY: config.existing.smsPoolId,
        EMAIL_SENDER: config.existing.sesSender,
        // The platform's limits (specification): WhatsApp 80/s per number, SMS 5/s, email 10/s.
        RATE_WHATSAPP_PER_SECOND: '80',
        RATE_SMS_PER_SECOND: '5',
        RATE_EMAIL_PER_SECOND: '10',
        ...this.data.environment,
        ...this.messaging.environment,
      },
      logGroup: this.monitoring.logGroup,
      data: this.data,
      senders: {
        whatsapp: {
          // Sending a file posts it to WhatsApp first; fetching inbound media is the inbound
          // handler's (its wiring's `whatsApp`), not part of a send.
          actions: ['social-messaging:SendWhatsAppMessage', 'social-messaging:PostWhatsAppMessageMedia'],
          resources: whatsAppNumbers,
        },
        sms: {
          actions: ['sms-voice:SendTextMessage'],
          resources: [`arn:${Aws.PARTITION}:sms-voice:${this.region}:${this.account}:pool/${config.existing.smsPoolId}`],
        },
        email: {
          actions: ['ses:SendEmail'],
          resources: [`arn:${Aws.PARTITION}:ses:${this.region}:${this.account}:identity/${config.existing.sesSender}`],
        },
      },
      whatsAppNumbers,
      mediaBucket: Bucket.fromBucketName(this, 'MediaBucket', config.existing.mediaBucketName),
      alerts: { topic: this.monitoring.alertsTopic, key: this.monitoring.alertsKey },
      whatsAppTierLimit: config.whatsAppTierLimit,
      sharedRole,
      wiring: props.wiring,
    });

    this.inbound = new InboundWhatsApp(this, 'InboundWhatsApp', {
      handler: this.functions.get(INBOUND_HANDLER),
      events: this.messaging.inboundEvents,
      deadLetterQueue: this.messaging.inboundDlq,
      numberTenants: tenantOfEachNumber(config),
    });

    this.api = new Api(this, 'Api', {
      routes: schema.routes,
      functions: this.functions,
      resourcePrefix: prefix,
      userPoolId: config.existing.cognitoUserPoolId,
      extraAppClientIds: config.existing.cognitoAppClientIds,
      accessLogGroup: this.monitoring.logGroup,
    });

    this.hosting = new Hosting(this, 'Hosting', {
      environment: config.environment,
      resourcePrefix: prefix,
      apiOriginDomainName: this.api.originDomainName,
      webApplicationFirewall: config.webApplicationFirewall,
      production,
    });

    this.monitoring.watch({
      functions: new Map<string, IFunction>([...this.functions.all].map(([name, fn]) => [name, fn.function])),
      deadLetterQueues: new Map<string, IQueue>(this.messaging.deadLetterQueues.map((q) => [q.node.id, q])),
      api: this.api.httpApi,
    });

    if (production && config.existing.whatsAppPhoneNumberIds.length === 0) {
      Annotations.of(this).addWarningV2(
        'wecare:no-whatsapp-senders',
        'existing.whatsAppPhoneNumberIds is empty: the WhatsApp allowlist is empty, so every WhatsApp send is refused until the phone-number ids are configured.',
      );
    }
  }
}
