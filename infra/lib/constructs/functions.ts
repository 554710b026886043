// Why this exists: one RustLambda per function listed in schema.json — a function added to the
// Rust workspace and to `wecare_core::routes::FUNCTIONS` appears here without touching this
// file — with its table, sender, WhatsApp (phone numbers and template catalogue), queue (sending,
// reading those it drains itself, and the depth of those it watches), media- and reports-bucket,
// alerts and Bedrock (knowledge base, agent alias, model) permissions, and the messaging config's
// and the AI config's variables (every tenant's senders among them), granted from lib/wiring.ts at
// the moment it is wired.

import { type Duration, Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BedrockModel } from '../config';
import { type FunctionWiring, LIST_LINKED_ACCOUNTS, type ObjectGrant, type SendChannel, wiringOf, WIRING } from '../wiring';
import { AI_CALL_TIMEOUT } from './ai';
import type { Data } from './data';
import type { QueueName } from './messaging';
import { RustLambda } from './rust-function';

/** Where inbound WhatsApp media is stored in the media bucket (the handler's keys start with it). */
export const INCOMING_MEDIA_PREFIX = 'incoming/';

/** Where operators' uploads for WhatsApp sends are stored (outbound-whatsapp's keys start with it). */
export const OUTGOING_MEDIA_PREFIX = 'outgoing/';

/** Operators' CSV uploads for bulk jobs in the reports bucket (bulk-job-create's keys start with it). */
export const IMPORTS_PREFIX = 'imports/';

/** Bulk jobs' resolved recipient lists in the reports bucket. */
export const MANIFESTS_PREFIX = 'manifests/';

/** Bulk previews' plans in the reports bucket, kept for the create that confirms them. */
export const PREVIEWS_PREFIX = 'previews/';

/** Bulk jobs' CSV reports in the reports bucket. */
export const REPORTS_PREFIX = 'reports/';

/** The parts a finishing bulk job's report is joined from, in the reports bucket. */
export const REPORT_PARTS_PREFIX = 'report-parts/';

/**
 * What a function that reads a queue itself (a wiring's `drains`) may do there: receive, release
 * what it only looked at, delete what it is done with. The batch forms are authorized by these.
 */
export const DRAIN_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'] as const;

/**
 * What RetrieveAndGenerate does with the caller's permissions besides itself: invoke the model
 * (and, for an inference profile, read the profile first).
 */
export const MODEL_ACTIONS = ['bedrock:InvokeModel'] as const;
export const INFERENCE_PROFILE_ACTIONS = ['bedrock:GetInferenceProfile', 'bedrock:InvokeModel'] as const;

/** The Bedrock resources of the stack, for a wiring's `bedrock`. */
export interface BedrockResources {
  /** `arn:<partition>:bedrock:<region>:<account>:knowledge-base/<id>`. */
  readonly knowledgeBaseArn: string;
  readonly knowledgeBaseId: string;
  readonly agentId: string;
  /** The alias (`agent-alias/<agent id>/<alias id>`), or none while none is configured. */
  readonly agentAlias?: { readonly id: string; readonly arn: string };
  /** The model RetrieveAndGenerate invokes (`existing.bedrockModelArn`). */
  readonly model: BedrockModel;
}

/** What SNS does with the topic's key when a message is published to an encrypted topic. */
export const ALERTS_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/**
 * How cdk-nag names an ARN in a finding. The stacks have a concrete region, so the partition of
 * an imported bucket's ARN resolves to a literal and the ARN to a plain string; an ARN written
 * with the `AWS::Partition` pseudo parameter (the WhatsApp ones) is a join, which cdk-nag
 * flattens with each reference as `<Name>`: `arn:<AWS::Partition>:social-messaging:…`.
 */
function nagArn(scope: Construct, arn: string): string {
  const resolved: unknown = Stack.of(scope).resolve(arn);
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as { Ref?: unknown; 'Fn::Join'?: [string, unknown[]] } | null;
    if (typeof v?.Ref === 'string') return `<${v.Ref}>`;
    const join = v?.['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(flatten).join(join[0]);
    throw new Error(`cannot name ${JSON.stringify(resolved)} for cdk-nag: the stack needs a concrete region`);
  };
  return flatten(resolved);
}

export interface FunctionsProps {
  /** Function names from schema.json. */
  readonly names: readonly string[];
  readonly functionsDir: string;
  readonly resourcePrefix: string;
  readonly commonEnvironment: Readonly<Record<string, string>>;
  readonly logGroup: ILogGroup;
  /** `make build`'s zips to deploy instead of building with cargo-lambda (see RustLambda). */
  readonly prebuiltLambdaDir?: string;
  readonly data: Data;
  /** Run all functions as this existing role instead of one least-privilege role each. */
  readonly sharedRole?: IRole;
  /**
   * What sending on each channel takes, on the ARNs of the channel's configured senders (WhatsApp
   * numbers, SMS pools or phone numbers, SES identities) — all tenants' together.
   */
  readonly senders: Readonly<Record<SendChannel, { readonly actions: readonly string[]; readonly resources: readonly string[] }>>;
  /** `SENDERS` of the functions with `messagingConfig`: every tenant's senders as JSON. */
  readonly sendersVariable: string;
  /** ARNs of the configured WhatsApp phone numbers, the only resources of a wiring's `whatsApp` actions. */
  readonly whatsAppNumbers: readonly string[];
  /**
   * ARNs of the WhatsApp Business Accounts a wiring's `whatsAppTemplates` actions are granted on
   * (the account's `waba/*`: the AWS ids of the linked accounts are not in the configuration,
   * only Meta's); empty while no WhatsApp number is configured, and then nothing is granted.
   */
  readonly whatsAppAccounts: readonly string[];
  /** The platform's queues, for a wiring's `sendsTo`. */
  readonly queues: ReadonlyMap<QueueName, IQueue>;
  /** The existing media bucket, for a wiring's `media` and `messagingConfig`. */
  readonly mediaBucket: IBucket;
  /** The existing reports bucket (`existing.reportsBucketName`), for a wiring's `reports`. */
  readonly reportsBucket: IBucket;
  /** The alerts topic (and the key it is encrypted with), for `messagingConfig` and `publishesAlerts`. */
  readonly alerts: { readonly topic: ITopic; readonly key: IKey };
  /** `WHATSAPP_TIER_LIMIT` of the functions with `messagingConfig`. */
  readonly whatsAppTierLimit: number;
  /** `TEMPLATE_CATALOGUE_MAX_AGE_MINUTES` of the functions with `messagingConfig`. */
  readonly templateCatalogueMaxAgeMinutes: number;
  /** The knowledge base, agent and model, for a wiring's `bedrock`. */
  readonly bedrock: BedrockResources;
  /** The team's existing Cognito user pool (`us-east-1_…`), for a wiring's `userPool`. */
  readonly userPoolId: string;
  /** Grants per function; the platform's table (lib/wiring.ts) unless a test passes another. */
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
  /**
   * Timeouts of the functions that need longer than an API function (the bulk worker); every
   * other function gets `FUNCTION_TIMEOUT`. Api refuses a route to a function whose timeout
   * outlasts the API's integration timeout.
   */
  readonly timeouts?: ReadonlyMap<string, Duration>;
}

export class Functions extends Construct {
  readonly all: ReadonlyMap<string, RustLambda>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const all = new Map<string, RustLambda>();
    for (const name of props.names) {
      const wiring = wiringOf(name, props.wiring ?? WIRING);
      // Like a send: no configured account, nothing to allow (and an empty Resource is invalid).
      const templates = wiring.whatsAppTemplates !== undefined && wiring.whatsAppTemplates.length > 0 && props.whatsAppAccounts.length > 0;
      const bedrock = new Set(wiring.bedrock ?? []);
      const fn = new RustLambda(this, name, {
        name,
        functionsDir: props.functionsDir,
        functionName: `${props.resourcePrefix}${name}`,
        commonEnvironment: props.commonEnvironment,
        logGroup: props.logGroup,
        prebuiltLambdaDir: props.prebuiltLambdaDir,
        sharedRole: props.sharedRole,
        timeout: props.timeouts?.get(name),
        onAnyResource: [
          ...(templates
            ? [
                {
                  action: `social-messaging:${LIST_LINKED_ACCOUNTS}`,
                  why: 'every template operation first finds the AWS id of the business account from Meta\'s id that senders are configured with, and this account-level List action has no resource type in the Service Authorization Reference',
                },
              ]
            : []),
          ...(bedrock.has('RetrieveAndGenerate')
            ? [
                {
                  action: 'bedrock:RetrieveAndGenerate',
                  why: `it has no resource type in the Service Authorization Reference, so IAM accepts it on "*" only; the call names the knowledge base ${props.bedrock.knowledgeBaseId} and generates with the configured model, which Bedrock invokes with this role's permissions: bedrock:InvokeModel on that model (or inference profile) alone`,
                },
              ]
            : []),
        ],
      });
      for (const [tableName, access] of Object.entries(wiring.tables)) {
        const table = props.data.table(tableName);
        if (access === 'read') table.grantReadData(fn.function);
        else if (access === 'write') table.grantWriteData(fn.function);
        else table.grantReadWriteData(fn.function);
        if (fn.ownsRole && props.data.hasIndexes(tableName)) {
          Validations.of(fn).acknowledge({
            id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((table.node.defaultChild as CfnTable).logicalId)}.Arn>/index/*]`,
            reason: `The grant on ${tableName} includes its own global secondary indexes (declared in schema.json) through ${tableName}/index/*; the wildcard cannot reach any other table.`,
          });
        }
      }
      for (const channel of wiring.sends ?? []) {
        const sender = props.senders[channel];
        // No configured sender on a channel (e.g. no WhatsApp numbers yet) means nothing to allow:
        // the send path finds no sender of the tenant and refuses before any provider call.
        if (sender.resources.length > 0) {
          fn.function.addToRolePolicy(
            new PolicyStatement({ actions: [...sender.actions], resources: [...sender.resources] }),
          );
        }
      }
      // Like a send: no configured number, nothing to allow (and an empty Resource is invalid).
      if (wiring.whatsApp !== undefined && wiring.whatsApp.length > 0 && props.whatsAppNumbers.length > 0) {
        fn.function.addToRolePolicy(
          new PolicyStatement({ actions: wiring.whatsApp.map((a) => `social-messaging:${a}`), resources: [...props.whatsAppNumbers] }),
        );
      }
      if (templates) {
        fn.function.addToRolePolicy(
          new PolicyStatement({
            actions: (wiring.whatsAppTemplates ?? []).map((a) => `social-messaging:${a}`),
            resources: [...props.whatsAppAccounts],
          }),
        );
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [`social-messaging:${LIST_LINKED_ACCOUNTS}`], resources: ['*'] }));
        if (fn.ownsRole) {
          for (const account of props.whatsAppAccounts) {
            Validations.of(fn).acknowledge({
              id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(this, account)}]`,
              reason: `Only the template actions of lib/wiring.ts (${(wiring.whatsAppTemplates ?? []).join(', ')}) on this account's WhatsApp Business Accounts in this region: IAM names an account by its AWS resource id, which the configuration does not hold (senders carry Meta's account id), so the accounts cannot be listed one by one.`,
            });
          }
        }
      }
      for (const name of wiring.sendsTo ?? []) {
        const queue = props.queues.get(name);
        if (queue === undefined) throw new Error(`${fn.node.path}: lib/wiring.ts says it sends to ${name}, which is not a queue of the stack`);
        // Not queue.grantSendMessages, which adds GetQueueAttributes and GetQueueUrl.
        fn.function.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      }
      for (const name of wiring.drains ?? []) {
        const queue = props.queues.get(name);
        if (queue === undefined) throw new Error(`${fn.node.path}: lib/wiring.ts says it drains ${name}, which is not a queue of the stack`);
        // Not queue.grantConsumeMessages, which adds GetQueueAttributes and GetQueueUrl.
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [...DRAIN_ACTIONS], resources: [queue.queueArn] }));
      }
      for (const name of wiring.watchesDepth ?? []) {
        const queue = props.queues.get(name);
        if (queue === undefined) throw new Error(`${fn.node.path}: lib/wiring.ts says it watches ${name}, which is not a queue of the stack`);
        fn.function.addToRolePolicy(new PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
      }
      for (const grant of wiring.media ?? []) this.grantObjects(fn, grant, props.mediaBucket, 'media bucket');
      if (wiring.media !== undefined || wiring.messagingConfig) fn.function.addEnvironment('MEDIA_BUCKET', props.mediaBucket.bucketName);
      for (const grant of wiring.reports ?? []) this.grantObjects(fn, grant, props.reportsBucket, 'reports bucket');
      if (wiring.reports !== undefined) fn.function.addEnvironment('REPORTS_BUCKET', props.reportsBucket.bucketName);
      if (wiring.messagingConfig) {
        fn.function.addEnvironment('SENDERS', props.sendersVariable);
        fn.function.addEnvironment('ALERTS_TOPIC_ARN', props.alerts.topic.topicArn);
        fn.function.addEnvironment('WHATSAPP_TIER_LIMIT', String(props.whatsAppTierLimit));
        // Optional for the Rust config (it defaults to an hour), but always set: the age the
        // scheduled refresh honours is then the one the environment's file states, next to the
        // schedule derived from it.
        fn.function.addEnvironment('TEMPLATE_CATALOGUE_MAX_AGE_MINUTES', String(props.templateCatalogueMaxAgeMinutes));
      }
      if (bedrock.size > 0) this.grantBedrock(fn, name, bedrock, props.bedrock);
      if (wiring.userPool !== undefined && wiring.userPool.length > 0) {
        // The pool may live in another region than the stack: its id says which.
        const poolRegion = props.userPoolId.split('_')[0] ?? Stack.of(this).region;
        const pool = Stack.of(this).formatArn({ service: 'cognito-idp', region: poolRegion, resource: 'userpool', resourceName: props.userPoolId });
        fn.function.addToRolePolicy(new PolicyStatement({ actions: wiring.userPool.map((a) => `cognito-idp:${a}`), resources: [pool] }));
        fn.function.addEnvironment('USER_POOL_ID', props.userPoolId);
        // In AWS, Cognito emails an invited user's temporary password (functions/users).
        fn.function.addEnvironment('INVITE_DELIVERY', 'EMAIL');
      }
      if (wiring.publishesAlerts) {
        // Not topic.grantPublish, which adds the wildcard kms:GenerateDataKey*: publishing to an
        // encrypted topic needs GenerateDataKey and Decrypt on its key, nothing more.
        fn.function.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [props.alerts.topic.topicArn] }));
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [...ALERTS_KEY_ACTIONS], resources: [props.alerts.key.keyArn] }));
        // The people a tenant names in its settings are emailed its alerts, from its email
        // sender: the same grant as an email send, where the function has none already.
        const email = props.senders['email'];
        if (email.resources.length > 0 && !(wiring.sends ?? []).includes('email')) {
          fn.function.addToRolePolicy(new PolicyStatement({ actions: [...email.actions], resources: [...email.resources] }));
        }
      }
      all.set(name, fn);
    }
    this.all = all;
  }

  /**
   * A wiring's `bedrock`: each operation on the configured resource only, and the AI config's
   * variables. RetrieveAndGenerate comes with what it invokes the model with; InvokeAgent is granted
   * nothing while no alias is configured (lib/readiness.ts refuses that in production).
   */
  private grantBedrock(fn: RustLambda, name: string, actions: ReadonlySet<string>, resources: BedrockResources): void {
    if (actions.has('Retrieve')) {
      fn.function.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [resources.knowledgeBaseArn] }));
    }
    if (actions.has('RetrieveAndGenerate')) {
      fn.function.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:RetrieveAndGenerate'], resources: ['*'] }));
      const model = resources.model;
      if (model.kind === 'foundation-model') {
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [...MODEL_ACTIONS], resources: [model.arn] }));
      } else {
        // A cross-region profile sends each request to its model in one of the profile's regions,
        // which its ARN does not list: the model, in any region, and only that model.
        const everywhere = `arn:${model.partition}:bedrock:*::foundation-model/${model.modelId}`;
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [...INFERENCE_PROFILE_ACTIONS], resources: [model.arn] }));
        fn.function.addToRolePolicy(new PolicyStatement({ actions: [...MODEL_ACTIONS], resources: [everywhere] }));
        if (fn.ownsRole) {
          Validations.of(fn).acknowledge({
            id: `AwsSolutions::AwsSolutions-IAM5[Resource::${everywhere}]`,
            reason: `Only bedrock:InvokeModel on the one foundation model (${model.modelId}) behind the configured inference profile ${model.profileId}: the profile routes each request to that model in one of its regions, which its ARN does not name, so the region cannot be written down.`,
          });
        }
      }
    }
    if (actions.has('InvokeAgent') && resources.agentAlias !== undefined) {
      fn.function.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeAgent'], resources: [resources.agentAlias.arn] }));
    }
    // Every AI function builds wecare_ai::Config, which reads all of them.
    fn.function.addEnvironment('AI_KNOWLEDGE_BASE_ID', resources.knowledgeBaseId);
    fn.function.addEnvironment('AI_AGENT_ID', resources.agentId);
    if (resources.agentAlias !== undefined) fn.function.addEnvironment('AI_AGENT_ALIAS_ID', resources.agentAlias.id);
    fn.function.addEnvironment('AI_MODEL_ARN', resources.model.arn);
    if (AI_CALL_TIMEOUT.toMilliseconds() >= fn.timeout.toMilliseconds()) {
      throw new Error(`${name}: a Bedrock call may take ${AI_CALL_TIMEOUT.toHumanString()}, which does not fit in the function's timeout of ${fn.timeout.toHumanString()}`);
    }
    fn.function.addEnvironment('AI_TIMEOUT_MS', String(AI_CALL_TIMEOUT.toMilliseconds()));
  }

  private grantObjects(fn: RustLambda, grant: ObjectGrant<string>, bucket: IBucket, what: string): void {
    // Single actions, not grantRead/grantPut: those add s3:List*, GetBucket*, tagging, retention…
    const resource = bucket.arnForObjects(`${grant.prefix}*`);
    fn.function.addToRolePolicy(new PolicyStatement({ actions: [...grant.actions], resources: [resource] }));
    if (fn.ownsRole) {
      Validations.of(fn).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(this, resource)}]`,
        reason: `Only ${grant.actions.join(' and ')} on objects of the ${what} under ${grant.prefix}: ${grant.why}, so no narrower ARN can be written in advance.`,
      });
    }
  }

  /** The timeout of the function called `name`. */
  timeoutOf(name: string): Duration {
    const fn = this.all.get(name);
    if (!fn) throw new Error(`no function ${name} (functions: ${[...this.all.keys()].join(', ')})`);
    return fn.timeout;
  }

  /** The function called `name`; schema.json guarantees routes only name existing ones. */
  get(name: string): LambdaFunction {
    const fn = this.all.get(name);
    if (!fn) throw new Error(`no function ${name} (functions: ${[...this.all.keys()].join(', ')})`);
    return fn.function;
  }
}
