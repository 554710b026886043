// Why this exists: each environment (production, staging, preview) is described by a checked-in
// JSON file under config/. This module turns such a file into a typed, validated value and holds
// the rules that must never bend whatever a file says — above all that only production may send
// for real (`SEND_MODE=LIVE`), and that every sender belongs to exactly one tenant. Synthesis of a
// bad file fails here, with every problem listed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ENVIRONMENTS = ['production', 'staging', 'preview'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const SEND_MODES = ['LIVE', 'DRY_RUN'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** Environments allowed to call the messaging providers. Everything else is DRY_RUN. */
export const LIVE_ENVIRONMENTS: readonly EnvironmentName[] = ['production'];

/**
 * The longest `resourcePrefix`. Every physical name of a stack starts with it, and the tightest
 * rules those names meet are 64 characters: a Lambda function (`<prefix>inbound-whatsapp-handler`),
 * an EventBridge rule (`<prefix>whatsapp-template-refresh`) and a CloudFront function
 * (`<prefix>spa-fallback`). 32 leaves a function name 32 characters; test/branches.test.ts
 * synthesizes a preview with the longest prefix and checks every name of it.
 */
export const MAX_RESOURCE_PREFIX_LENGTH = 32;

/** Retention values CloudWatch Logs accepts, from 30 days up (the platform's minimum). */
export const LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** How the authorizer finds a caller's tenant. */
export type Tenancy =
  /** Every token must carry `custom:tenant_id`; a token without it is refused. */
  | { readonly mode: 'multi' }
  /** A token without `custom:tenant_id` belongs to `defaultTenantId`. */
  | { readonly mode: 'single'; readonly defaultTenantId: string };

export const TENANCY_MODES = ['multi', 'single'] as const;

/** The channels a sender sends on, in the order `SENDERS` lists them within a tenant. */
export const SENDER_CHANNELS = ['whatsapp', 'sms', 'email'] as const;
export type SenderChannel = (typeof SENDER_CHANNELS)[number];

/** Highest `ratePerSecond` a sender may be given (Meta's WhatsApp ceiling is 1000 per second). */
export const MAX_SENDER_RATE_PER_SECOND = 1000;

interface SenderCommon {
  /** The one tenant that owns the sender: sends, inbound messages and the console's list. */
  readonly tenant: string;
  /** What the console shows (`+91 93309 94400`, `WECARE.DIGITAL <one@wecare.digital>`). */
  readonly label: string;
  /**
   * The tenant's default sender on this channel; at most one per tenant and channel, and when
   * none is, the first listed is the default.
   */
  readonly default: boolean;
}

/** A WhatsApp number of End User Messaging Social. */
export interface WhatsAppSender extends SenderCommon {
  readonly channel: 'whatsapp';
  /** The origination phone-number id, `phone-number-id-<32 hex>`. */
  readonly id: string;
  /** The WhatsApp Business Account of the number: the messaging tier is counted per account. */
  readonly wabaId: string;
  /** Sends per second through this number; `RATE_WHATSAPP_PER_SECOND` when absent. */
  readonly ratePerSecond?: number;
}

/** An origination identity of End User Messaging SMS. */
export interface SmsSender extends SenderCommon {
  readonly channel: 'sms';
  /** A pool id `pool-<32 hex>` or a phone-number id `phone-<32 hex>` (see `PATTERNS.smsSender`). */
  readonly id: string;
  /** Sends per second through this identity; `RATE_SMS_PER_SECOND` when absent. */
  readonly ratePerSecond?: number;
}

/** A verified SES sender address (the account's rate, `RATE_EMAIL_PER_SECOND`, applies). */
export interface EmailSender extends SenderCommon {
  readonly channel: 'email';
  /** The address mail is sent from. */
  readonly id: string;
}

/** A sender a tenant owns; `SENDERS` gives the functions the whole list as JSON. */
export type Sender = WhatsAppSender | SmsSender | EmailSender;

/**
 * Bounds of `bulk.workerConcurrency`. 2 is the least Lambda accepts as an SQS event source's
 * maximum concurrency; above 5, workers would mostly wait on the senders' shared rate buckets (SMS
 * 5 per second, email 10) while taking the account's Lambda concurrency from the API.
 */
export const BULK_WORKER_CONCURRENCY = { min: 2, max: 5 } as const;

/**
 * Bounds of `whatsAppTemplateCatalogueMaxAgeMinutes`: exactly what `wecare_messaging::Config`
 * accepts for `TEMPLATE_CATALOGUE_MAX_AGE_MINUTES` (crates/messaging/src/config.rs), so that a
 * value every messaging function would refuse at its cold start stops synthesis instead.
 */
export const TEMPLATE_CATALOGUE_MAX_AGE_MINUTES = { min: 5, max: 7 * 24 * 60 } as const;

/** How bulk jobs run. */
export interface BulkSettings {
  /**
   * Most `bulk-worker` invocations that `bulk-queue`'s event source runs at once (its
   * MaximumConcurrency), a whole number from 2 to 5.
   */
  readonly workerConcurrency: number;
}

/** Where the console is served instead of its `*.cloudfront.net` address. */
export interface CustomDomain {
  /** The console's host name (`base.wecare.digital`); the API is `https://<name>/api`. */
  readonly name: string;
  /**
   * An ACM certificate for `name`, in us-east-1 (the only region CloudFront takes certificates
   * from), whatever region the stack is in.
   */
  readonly certificateArn: string;
  /**
   * The Route 53 public hosted zone `name` is in, where the stack adds its alias records (A and
   * AAAA); without one, whoever runs the domain's DNS points `name` at the `ConsoleDnsTarget`
   * output with a CNAME.
   */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

/** Resources of the specification that exist already and are imported, never created. */
export interface ExistingResources {
  /** Cognito user pool whose ID tokens the authorizer accepts (`us-east-1_…`). */
  readonly cognitoUserPoolId: string;
  /** App clients created outside this app whose tokens are accepted too (the app adds its own). */
  readonly cognitoAppClientIds: readonly string[];
  /** SNS topic on which AWS End User Messaging Social publishes inbound WhatsApp events. */
  readonly inboundTopicArn: string;
  /** Bucket for WhatsApp media. */
  readonly mediaBucketName: string;
  /** Bucket for bulk-job reports and AI documents. */
  readonly reportsBucketName: string;
  /**
   * The Bedrock knowledge base `ai-query-kb` answers questions from (Retrieve and
   * RetrieveAndGenerate), 10 characters of `[0-9A-Z]` (`aws bedrock-agent list-knowledge-bases`).
   */
  readonly bedrockKnowledgeBaseId: string;
  /** The Bedrock agent `ai-generate-response` drafts replies with (`aws bedrock-agent list-agents`). */
  readonly bedrockAgentId: string;
  /**
   * The alias of that agent it invokes (`aws bedrock-agent list-agent-aliases --agent-id …`), or
   * null while none is chosen: then nothing may invoke the agent, production refuses to synthesize
   * and staging and previews warn (lib/readiness.ts). `TSTALIASID` (`TEST_AGENT_ALIAS_ID`) is the
   * test alias every agent has, which runs its working draft.
   */
  readonly bedrockAgentAliasId: string | null;
  /**
   * The model RetrieveAndGenerate writes `ai-query-kb`'s answers with, in the stack's region: a
   * foundation model (`arn:aws:bedrock:<region>::foundation-model/<model id>`) or a system-defined
   * cross-region inference profile of this account
   * (`arn:aws:bedrock:<region>:<account>:inference-profile/<geo>.<model id>`); see
   * `bedrockModelOf`.
   */
  readonly bedrockModelArn: string;
  /** Role the specification names for all functions; used only if `useExistingFunctionRole`. */
  readonly functionRoleArn: string;
}

export interface EnvironmentConfig {
  readonly environment: EnvironmentName;
  readonly account: string;
  readonly region: string;
  /** Prefix of every physical name (tables, queues, functions, topic): `wecare-production-`. */
  readonly resourcePrefix: string;
  readonly sendMode: SendMode;
  /** `LOG_LEVEL` of the functions, a tracing-subscriber filter (`info`, `debug,hyper=info`). */
  readonly logLevel: string;
  /** Whether tokens must name their tenant (`multi`) or may fall back to a default (`single`). */
  readonly tenancy: Tenancy;
  /** ISO 3166 region for phone numbers written without a country code. */
  readonly defaultPhoneRegion: string;
  /**
   * Every WhatsApp number, SMS identity and email address the platform sends from, each owned by
   * one tenant, in the file's order. A channel without senders sends nothing (and is granted
   * nothing); an inbound WhatsApp event for a number not listed here is stored for no tenant.
   */
  readonly senders: readonly Sender[];
  /**
   * Business-initiated WhatsApp conversations (a template outside a contact's 24 h window) each
   * WhatsApp Business Account (a sender's `wabaId`) may open in a moving 24 h: its messaging tier
   * at Meta (tier 1 is 250). The send path refuses the next one with TIER_LIMIT_EXCEEDED and
   * alerts once at 80 %.
   */
  readonly whatsAppTierLimit: number;
  /**
   * How old a WhatsApp Business Account's template catalogue may grow, in minutes (5 to 10080),
   * before the scheduled refresh of `whatsapp-templates` syncs it from the provider
   * (`TEMPLATE_CATALOGUE_MAX_AGE_MINUTES`). Meta's template status events update a catalogue at
   * once; this bounds how long anything they miss (a template changed in WhatsApp Manager, a lost
   * event) stays unseen, since lists answer from the stored catalogue and never wait on the
   * provider. The schedule runs every quarter of it (at least every 5 minutes).
   */
  readonly whatsAppTemplateCatalogueMaxAgeMinutes: number;
  /** How bulk jobs run (`bulk-worker`'s concurrency). */
  readonly bulk: BulkSettings;
  /** The log group every function writes to (the specification's `/base-wecare-digital/common`). */
  readonly logGroupName: string;
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** Addresses subscribed to the alerts topic. */
  readonly alertEmails: readonly string[];
  /** Put an AWS WAF web ACL in front of the CloudFront distribution. */
  readonly webApplicationFirewall: boolean;
  /**
   * The console's own domain and certificate, or null for CloudFront's address. A feature
   * branch's preview is served at `<preview id>.<name>` (lib/branches.ts), which the certificate
   * must cover (`*.<name>`).
   */
  readonly domain: CustomDomain | null;
  /** Run every function with `existing.functionRoleArn` instead of its own least-privilege role. */
  readonly useExistingFunctionRole: boolean;
  readonly existing: ExistingResources;
}

export class ConfigError extends Error {
  constructor(source: string, problems: readonly string[]) {
    super(`${source} is not a valid environment configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

const PATTERNS = {
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d$/,
  resourcePrefix: new RegExp(`^[a-z][a-z0-9-]{0,${MAX_RESOURCE_PREFIX_LENGTH - 2}}-$`),
  logLevel: /^[A-Za-z0-9_:=,.-]+$/,
  tenant: /^[a-z0-9][a-z0-9-]{0,62}$/,
  phoneRegion: /^[A-Z]{2}$/,
  logGroupName: /^\/[A-Za-z0-9_/.#-]{1,511}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  userPoolId: /^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/,
  appClientId: /^[a-z0-9]{1,128}$/,
  snsTopicArn: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  bucketName: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  whatsAppSender: /^phone-number-id-[0-9a-f]{32}$/,
  // A pool or a phone-number id: what an IAM statement can name. An E.164 number or a bare
  // sender id cannot be turned into the ARN SendTextMessage is authorized against.
  smsSender: /^(pool-[0-9a-f]{32}|phone-[0-9a-f]{32})$/,
  emailSender: /^[^@\s<>"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
  wabaId: /^\d{1,20}$/,
  // Knowledge bases, agents and agent aliases alike (TSTALIASID, the test alias, among them).
  bedrockId: /^[0-9A-Z]{10}$/,
  roleArn: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  // Lower case, labels of 1 to 63 letters, digits and inner hyphens, a top-level domain of letters.
  hostName: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  certificateArn: /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/,
  hostedZoneId: /^Z[A-Z0-9]{1,31}$/,
} as const;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed configuration file; `expected` is the environment its file name promises. */
export function parseConfig(raw: unknown, source: string, expected?: EnvironmentName): EnvironmentConfig {
  const problems: string[] = [];
  if (!isObject(raw)) throw new ConfigError(source, ['the top level must be an object']);

  const str = (o: Json, key: string, pattern: RegExp, where = ''): string => {
    const v = o[key];
    if (typeof v !== 'string' || !pattern.test(v)) {
      problems.push(`${where}${key} must be a string matching ${pattern} (got ${JSON.stringify(v)})`);
      return '';
    }
    return v;
  };
  const strings = (o: Json, key: string, pattern: RegExp, where = ''): string[] => {
    const v = o[key];
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string' && pattern.test(s))) {
      problems.push(`${where}${key} must be a list of strings matching ${pattern} (got ${JSON.stringify(v)})`);
      return [];
    }
    return v;
  };
  const bool = (o: Json, key: string): boolean => {
    const v = o[key];
    if (typeof v !== 'boolean') {
      problems.push(`${key} must be true or false (got ${JSON.stringify(v)})`);
      return false;
    }
    return v;
  };
  const positiveInteger = (o: Json, key: string): number => {
    const v = o[key];
    // The Rust side parses a u64 and refuses 0; a JSON number beyond 2^53 would not survive as text.
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      problems.push(`${key} must be a positive whole number (got ${JSON.stringify(v)})`);
      return 0;
    }
    return v;
  };
  const wholeNumber = (o: Json, key: string, { min, max }: { readonly min: number; readonly max: number }): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
      return min;
    }
    return v;
  };
  const oneOf = <T extends string | number>(o: Json, key: string, allowed: readonly T[]): T => {
    const v = o[key];
    if (!(allowed as readonly unknown[]).includes(v)) {
      problems.push(`${key} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
      return allowed[0] as T;
    }
    return v as T;
  };

  const known = new Set([
    'environment', 'account', 'region', 'resourcePrefix', 'sendMode', 'logLevel', 'tenancy', 'defaultPhoneRegion',
    'senders', 'whatsAppTierLimit', 'whatsAppTemplateCatalogueMaxAgeMinutes', 'bulk', 'logGroupName', 'logRetentionDays', 'alertEmails', 'webApplicationFirewall', 'domain', 'useExistingFunctionRole', 'existing',
  ]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${key} is not a known setting`);

  const environment = oneOf(raw, 'environment', ENVIRONMENTS);
  if (expected !== undefined && environment !== expected) problems.push(`environment is ${environment} but the file is for ${expected}`);
  const sendMode = oneOf(raw, 'sendMode', SEND_MODES);
  if (sendMode === 'LIVE' && !LIVE_ENVIRONMENTS.includes(environment)) {
    problems.push(`sendMode LIVE is not allowed in ${environment}: only ${LIVE_ENVIRONMENTS.join(', ')} may call the messaging providers; use DRY_RUN`);
  }
  const region = str(raw, 'region', PATTERNS.region);
  const webApplicationFirewall = bool(raw, 'webApplicationFirewall');
  if (webApplicationFirewall && region !== '' && region !== 'us-east-1') {
    problems.push('webApplicationFirewall needs region us-east-1: a CloudFront web ACL can only be created there');
  }

  const existingRaw = raw['existing'];
  let existing: ExistingResources | undefined;
  if (!isObject(existingRaw)) {
    problems.push('existing must be an object');
  } else {
    const w = 'existing.';
    const knownExisting = new Set([
      'cognitoUserPoolId', 'cognitoAppClientIds', 'inboundTopicArn', 'mediaBucketName', 'reportsBucketName',
      'bedrockKnowledgeBaseId', 'bedrockAgentId', 'bedrockAgentAliasId', 'bedrockModelArn', 'functionRoleArn',
    ]);
    for (const key of Object.keys(existingRaw)) if (!knownExisting.has(key)) problems.push(`${w}${key} is not a known setting`);
    existing = {
      cognitoUserPoolId: str(existingRaw, 'cognitoUserPoolId', PATTERNS.userPoolId, w),
      cognitoAppClientIds: strings(existingRaw, 'cognitoAppClientIds', PATTERNS.appClientId, w),
      inboundTopicArn: str(existingRaw, 'inboundTopicArn', PATTERNS.snsTopicArn, w),
      mediaBucketName: str(existingRaw, 'mediaBucketName', PATTERNS.bucketName, w),
      reportsBucketName: str(existingRaw, 'reportsBucketName', PATTERNS.bucketName, w),
      ...parseBedrock(existingRaw, raw, problems),
      functionRoleArn: str(existingRaw, 'functionRoleArn', PATTERNS.roleArn, w),
    };
  }

  const tenancy = parseTenancy(raw['tenancy'], problems);
  const bulk = parseBulk(raw['bulk'], problems);
  const senders = parseSenders(raw['senders'], problems);
  const domain = parseDomain(raw, problems);

  const config: EnvironmentConfig = {
    environment,
    account: str(raw, 'account', PATTERNS.account),
    region,
    resourcePrefix: str(raw, 'resourcePrefix', PATTERNS.resourcePrefix),
    sendMode,
    logLevel: str(raw, 'logLevel', PATTERNS.logLevel),
    tenancy,
    defaultPhoneRegion: str(raw, 'defaultPhoneRegion', PATTERNS.phoneRegion),
    senders,
    whatsAppTierLimit: positiveInteger(raw, 'whatsAppTierLimit'),
    whatsAppTemplateCatalogueMaxAgeMinutes: wholeNumber(raw, 'whatsAppTemplateCatalogueMaxAgeMinutes', TEMPLATE_CATALOGUE_MAX_AGE_MINUTES),
    bulk,
    logGroupName: str(raw, 'logGroupName', PATTERNS.logGroupName),
    logRetentionDays: oneOf(raw, 'logRetentionDays', LOG_RETENTION_DAYS),
    alertEmails: strings(raw, 'alertEmails', PATTERNS.email),
    webApplicationFirewall,
    domain,
    useExistingFunctionRole: bool(raw, 'useExistingFunctionRole'),
    existing: existing as ExistingResources,
  };
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

/** The test alias every Bedrock agent has: it invokes the agent's working draft (version DRAFT). */
export const TEST_AGENT_ALIAS_ID = 'TSTALIASID';

/**
 * What `existing.bedrockModelArn` names. RetrieveAndGenerate invokes it with the caller's
 * permissions: a foundation model is authorized against its own ARN; a system-defined inference
 * profile against the profile (bedrock:GetInferenceProfile, bedrock:InvokeModel) and against its
 * foundation model in every region the profile routes to. An application inference profile is not
 * accepted: its ARN does not say which model it invokes, so no grant could be scoped to it.
 */
export type BedrockModel =
  | {
      readonly kind: 'foundation-model';
      readonly arn: string;
      readonly partition: string;
      readonly region: string;
      /** `amazon.nova-pro-v1:0`. */
      readonly modelId: string;
    }
  | {
      readonly kind: 'inference-profile';
      readonly arn: string;
      readonly partition: string;
      readonly region: string;
      readonly account: string;
      /** `us.amazon.nova-pro-v1:0`: the geography, then the model id. */
      readonly profileId: string;
      readonly modelId: string;
    };

// A model id is `<provider>.<model>[:<version>]`, lower case: amazon.nova-pro-v1:0.
const FOUNDATION_MODEL_ARN = /^arn:(aws[a-z-]*):bedrock:([a-z]{2}(?:-[a-z]+)+-\d)::foundation-model\/([a-z0-9-]+\.[a-z0-9.:-]+)$/;
// A system-defined profile's id is the model id behind a geography: us., eu., apac., us-gov., global.
const INFERENCE_PROFILE_ARN = /^arn:(aws[a-z-]*):bedrock:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):inference-profile\/([a-z]{2,6}(?:-[a-z]+)?\.([a-z0-9-]+\.[a-z0-9.:-]+))$/;

/** The model a model ARN names, or undefined if it is neither form `BedrockModel` accepts. */
export function bedrockModelOf(arn: string): BedrockModel | undefined {
  const model = FOUNDATION_MODEL_ARN.exec(arn);
  if (model !== null) return { kind: 'foundation-model', arn, partition: model[1] as string, region: model[2] as string, modelId: model[3] as string };
  const profile = INFERENCE_PROFILE_ARN.exec(arn);
  if (profile !== null) {
    return {
      kind: 'inference-profile',
      arn,
      partition: profile[1] as string,
      region: profile[2] as string,
      account: profile[3] as string,
      profileId: profile[4] as string,
      modelId: profile[5] as string,
    };
  }
  return undefined;
}

/**
 * The Bedrock settings of `existing`: the knowledge base and agent ids, the agent's alias (null
 * while none is chosen) and the model ARN, in this stack's region (and, for an inference profile,
 * account). Each refusal says where the value comes from.
 */
function parseBedrock(
  existing: Json,
  raw: Json,
  problems: string[],
): Pick<ExistingResources, 'bedrockKnowledgeBaseId' | 'bedrockAgentId' | 'bedrockAgentAliasId' | 'bedrockModelArn'> {
  const region = typeof raw['region'] === 'string' && PATTERNS.region.test(raw['region']) ? raw['region'] : '<region>';
  const id = (key: string, what: string, command: string): string => {
    const v = existing[key];
    if (typeof v === 'string' && PATTERNS.bedrockId.test(v)) return v;
    problems.push(`existing.${key} must be ${what}, 10 characters of [0-9A-Z] (got ${JSON.stringify(v)}); \`${command} --region ${region}\` lists them`);
    return '';
  };
  const bedrockKnowledgeBaseId = id('bedrockKnowledgeBaseId', 'the id of the Bedrock knowledge base ai-query-kb answers from', 'aws bedrock-agent list-knowledge-bases');
  const bedrockAgentId = id('bedrockAgentId', 'the id of the Bedrock agent ai-generate-response drafts replies with', 'aws bedrock-agent list-agents');

  const alias = existing['bedrockAgentAliasId'];
  let bedrockAgentAliasId: string | null = null;
  if (typeof alias === 'string' && PATTERNS.bedrockId.test(alias)) bedrockAgentAliasId = alias;
  else if (alias !== null) {
    problems.push(
      `existing.bedrockAgentAliasId must be null (no alias chosen yet) or the id of an alias of the agent, 10 characters of [0-9A-Z] such as ${TEST_AGENT_ALIAS_ID}, the test alias that runs the agent's working draft (got ${JSON.stringify(alias)}); ` +
        `\`aws bedrock-agent list-agent-aliases --agent-id ${bedrockAgentId === '' ? '<agent id>' : bedrockAgentId} --region ${region}\` lists them (agentAliasId)`,
    );
  }

  const arn = existing['bedrockModelArn'];
  const model = typeof arn === 'string' ? bedrockModelOf(arn) : undefined;
  if (model === undefined) {
    problems.push(
      `existing.bedrockModelArn must be a foundation model's ARN, arn:aws:bedrock:<region>::foundation-model/<model id> such as arn:aws:bedrock:${region === '<region>' ? 'us-east-1' : region}::foundation-model/amazon.nova-pro-v1:0 (Amazon Nova Pro), ` +
        `or a system-defined inference profile's, arn:aws:bedrock:<region>:<account>:inference-profile/<geography>.<model id> (got ${JSON.stringify(arn)}); ` +
        `\`aws bedrock list-foundation-models --by-output-modality TEXT --region ${region}\` and \`aws bedrock list-inference-profiles --region ${region}\` list them`,
    );
  } else {
    if (region !== '<region>' && model.region !== region) {
      problems.push(`existing.bedrockModelArn is in ${model.region}, but the stack is in ${region}: the knowledge base generates with a model, or an inference profile, of its own region`);
    }
    const account = raw['account'];
    if (model.kind === 'inference-profile' && typeof account === 'string' && PATTERNS.account.test(account) && model.account !== account) {
      problems.push(`existing.bedrockModelArn is an inference profile of account ${model.account}, not of this stack's account ${account}`);
    }
  }
  return { bedrockKnowledgeBaseId, bedrockAgentId, bedrockAgentAliasId, bedrockModelArn: typeof arn === 'string' ? arn : '' };
}

/**
 * `domain`: null, or `{ "name", "certificateArn", "hostedZone"? }` with a certificate in us-east-1
 * and, when given, a hosted zone that `name` lies in. Required, so a file says which it is.
 */
function parseDomain(raw: Json, problems: string[]): CustomDomain | null {
  if (!('domain' in raw)) {
    problems.push('domain must be null (the console at its CloudFront address) or {"name", "certificateArn", "hostedZone"?} (got undefined)');
    return null;
  }
  const v = raw['domain'];
  if (v === null) return null;
  if (!isObject(v)) {
    problems.push(`domain must be null or an object {"name", "certificateArn", "hostedZone"?} (got ${JSON.stringify(v)})`);
    return null;
  }
  const before = problems.length;
  for (const key of Object.keys(v)) if (!['name', 'certificateArn', 'hostedZone'].includes(key)) problems.push(`domain.${key} is not a known setting`);
  const name = v['name'];
  if (typeof name !== 'string' || !PATTERNS.hostName.test(name)) {
    problems.push(`domain.name must be a lower-case host name such as base.wecare.digital (got ${JSON.stringify(name)})`);
  }
  const arn = v['certificateArn'];
  const arnMatch = typeof arn === 'string' ? PATTERNS.certificateArn.exec(arn) : null;
  if (arnMatch === null) {
    problems.push(`domain.certificateArn must be an ACM certificate ARN, arn:aws:acm:us-east-1:<account>:certificate/<id> (got ${JSON.stringify(arn)}); find it with aws acm list-certificates --region us-east-1`);
  } else if (arnMatch[1] !== 'us-east-1') {
    problems.push(`domain.certificateArn is in ${arnMatch[1]}, but CloudFront only uses certificates from us-east-1: request or import the certificate there (aws acm request-certificate --region us-east-1 …)`);
  }
  const zone = v['hostedZone'];
  let hostedZone: CustomDomain['hostedZone'];
  if (zone !== undefined && zone !== null) {
    if (!isObject(zone)) {
      problems.push(`domain.hostedZone must be null or {"id", "name"} (got ${JSON.stringify(zone)})`);
    } else {
      for (const key of Object.keys(zone)) if (!['id', 'name'].includes(key)) problems.push(`domain.hostedZone.${key} is not a known setting`);
      const id = zone['id'];
      const zoneName = zone['name'];
      if (typeof id !== 'string' || !PATTERNS.hostedZoneId.test(id)) {
        problems.push(`domain.hostedZone.id must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got ${JSON.stringify(id)}); find it with aws route53 list-hosted-zones-by-name --dns-name <zone>`);
      }
      if (typeof zoneName !== 'string' || !PATTERNS.hostName.test(zoneName)) {
        problems.push(`domain.hostedZone.name must be the zone's lower-case name such as wecare.digital (got ${JSON.stringify(zoneName)})`);
      } else if (typeof name === 'string' && name !== zoneName && !name.endsWith(`.${zoneName}`)) {
        problems.push(`domain.name ${name} is not in the hosted zone ${zoneName}`);
      }
      if (typeof id === 'string' && typeof zoneName === 'string') hostedZone = { id, name: zoneName };
    }
  }
  if (problems.length > before) return null;
  return { name: name as string, certificateArn: arn as string, ...(hostedZone === undefined ? {} : { hostedZone }) };
}

/** `bulk`: `{ "workerConcurrency": 2…5 }`. */
function parseBulk(raw: unknown, problems: string[]): BulkSettings {
  const { min, max } = BULK_WORKER_CONCURRENCY;
  const fallback: BulkSettings = { workerConcurrency: min };
  if (!isObject(raw)) {
    problems.push(`bulk must be an object, {"workerConcurrency": ${min}…${max}} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  for (const key of Object.keys(raw)) if (key !== 'workerConcurrency') problems.push(`bulk.${key} is not a known setting`);
  const v = raw['workerConcurrency'];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`bulk.workerConcurrency must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return fallback;
  }
  return { workerConcurrency: v };
}

const isTenancyMode = (v: unknown): v is Tenancy['mode'] => (TENANCY_MODES as readonly unknown[]).includes(v);

/** `tenancy`: `{ "mode": "multi" }` or `{ "mode": "single", "defaultTenantId": "…" }`. */
function parseTenancy(raw: unknown, problems: string[]): Tenancy {
  const fallback: Tenancy = { mode: 'multi' };
  if (!isObject(raw)) {
    problems.push(`tenancy must be an object, {"mode":"multi"} or {"mode":"single","defaultTenantId":"…"} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  const mode = raw['mode'];
  if (!isTenancyMode(mode)) {
    problems.push(`tenancy.mode must be one of ${TENANCY_MODES.join(', ')} (got ${JSON.stringify(mode)})`);
    return fallback;
  }
  const known = mode === 'single' ? ['mode', 'defaultTenantId'] : ['mode'];
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    // A default tenant in multi mode would be ignored: say so rather than keep it silently.
    problems.push(key === 'defaultTenantId' ? 'tenancy.defaultTenantId is only for mode single: in multi mode a token without custom:tenant_id is refused' : `tenancy.${key} is not a known setting`);
  }
  if (mode === 'multi') return { mode };
  const defaultTenantId = raw['defaultTenantId'];
  if (typeof defaultTenantId !== 'string' || !PATTERNS.tenant.test(defaultTenantId)) {
    problems.push(`tenancy.defaultTenantId must be a string matching ${PATTERNS.tenant} in mode single (got ${JSON.stringify(defaultTenantId)})`);
    return fallback;
  }
  return { mode, defaultTenantId };
}

const SENDER_ID_PATTERNS: Readonly<Record<SenderChannel, RegExp>> = {
  whatsapp: PATTERNS.whatsAppSender,
  sms: PATTERNS.smsSender,
  email: PATTERNS.emailSender,
};

/** What each channel's senders may say beyond tenant, channel, id, label and default. */
const SENDER_EXTRA_KEYS: Readonly<Record<SenderChannel, readonly string[]>> = {
  whatsapp: ['wabaId', 'ratePerSecond'],
  sms: ['ratePerSecond'],
  email: [],
};

/**
 * What makes two senders the same one. An address's domain is case-insensitive by standard and
 * mailboxes treat the rest alike in practice, so `One@…` and `one@…` are one sender: they may not
 * be split between two tenants.
 */
const ownedId = (sender: Pick<Sender, 'channel' | 'id'>): string => (sender.channel === 'email' ? sender.id.toLowerCase() : sender.id);

/** `senders`: a list of senders, each owned by one tenant, at most one default per tenant and channel. */
function parseSenders(raw: unknown, problems: string[]): Sender[] {
  if (!Array.isArray(raw)) {
    problems.push(`senders must be a list of {tenant, channel, id, label, default, …} (got ${JSON.stringify(raw)})`);
    return [];
  }
  const senders: Sender[] = [];
  raw.forEach((s: unknown, i) => {
    const where = `senders[${i}]`;
    if (!isObject(s)) {
      problems.push(`${where} must be an object (got ${JSON.stringify(s)})`);
      return;
    }
    const before = problems.length;
    const channel = s['channel'];
    if (!(SENDER_CHANNELS as readonly unknown[]).includes(channel)) {
      problems.push(`${where}.channel must be one of ${SENDER_CHANNELS.join(', ')} (got ${JSON.stringify(channel)})`);
      return;
    }
    const ch = channel as SenderChannel;
    const known = ['tenant', 'channel', 'id', 'label', 'default', ...SENDER_EXTRA_KEYS[ch]];
    for (const key of Object.keys(s)) {
      if (known.includes(key)) continue;
      problems.push(
        key === 'wabaId' || key === 'ratePerSecond'
          ? `${where}.${key} is not a setting of a ${ch} sender (only ${SENDER_CHANNELS.filter((c) => SENDER_EXTRA_KEYS[c].includes(key)).join(' and ')})`
          : `${where}.${key} is not a known setting`,
      );
    }
    const text = (key: string, pattern: RegExp): string => {
      const v = s[key];
      if (typeof v !== 'string' || !pattern.test(v)) {
        problems.push(`${where}.${key} must be a string matching ${pattern} (got ${JSON.stringify(v)})`);
        return '';
      }
      return v;
    };
    const tenant = text('tenant', PATTERNS.tenant);
    const id = text('id', SENDER_ID_PATTERNS[ch]);
    const label = s['label'];
    if (typeof label !== 'string' || label.trim() === '') problems.push(`${where}.label must be a non-empty string, what the console shows for the sender (got ${JSON.stringify(label)})`);
    const isDefault = s['default'];
    if (typeof isDefault !== 'boolean') problems.push(`${where}.default must be true or false (got ${JSON.stringify(isDefault)})`);
    const wabaId = ch === 'whatsapp' ? text('wabaId', PATTERNS.wabaId) : undefined;
    const rate = s['ratePerSecond'];
    if (rate !== undefined && ch !== 'email' && (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > MAX_SENDER_RATE_PER_SECOND)) {
      problems.push(`${where}.ratePerSecond must be a number above 0 and at most ${MAX_SENDER_RATE_PER_SECOND} (got ${JSON.stringify(rate)})`);
    }
    if (problems.length > before) return;

    const common = { tenant, id, label: label as string, default: isDefault as boolean };
    const ratePerSecond = rate === undefined ? {} : { ratePerSecond: rate as number };
    if (ch === 'whatsapp') senders.push({ ...common, channel: ch, wabaId: wabaId as string, ...ratePerSecond });
    else if (ch === 'sms') senders.push({ ...common, channel: ch, ...ratePerSecond });
    else senders.push({ ...common, channel: ch });
  });

  const owners = new Map<string, Sender>();
  const defaults = new Map<string, Sender>();
  for (const sender of senders) {
    const owner = owners.get(ownedId(sender));
    if (owner === undefined) owners.set(ownedId(sender), sender);
    else {
      problems.push(
        owner.tenant === sender.tenant
          ? `senders: ${sender.id} is listed twice for tenant ${sender.tenant}`
          : `senders: ${sender.id} is owned by two tenants, ${owner.tenant} and ${sender.tenant}; a sender belongs to exactly one tenant`,
      );
    }
    if (!sender.default) continue;
    const group = `${sender.tenant} ${sender.channel}`;
    const other = defaults.get(group);
    if (other === undefined) defaults.set(group, sender);
    else problems.push(`senders: tenant ${sender.tenant} has two default ${sender.channel} senders, ${other.id} and ${sender.id}; mark at most one default: true`);
  }
  return senders;
}

/**
 * `SENDERS` as the functions read it: the senders as JSON, grouped by tenant (alphabetically)
 * and channel (whatsapp, sms, email). The sort is stable, so within a tenant and channel the
 * file's order — which decides the default when none is marked — is kept, and reordering
 * tenants in a file changes nothing that is deployed.
 */
export function sendersVariable(senders: readonly Sender[]): string {
  const rank = (s: Sender): [string, number] => [s.tenant, SENDER_CHANNELS.indexOf(s.channel)];
  const ordered = [...senders].sort((a, b) => {
    const [ta, ca] = rank(a);
    const [tb, cb] = rank(b);
    return ta < tb ? -1 : ta > tb ? 1 : ca - cb;
  });
  // Keys in one fixed order, optional ones only when set.
  return JSON.stringify(
    ordered.map((s) => ({
      tenant: s.tenant,
      channel: s.channel,
      id: s.id,
      label: s.label,
      default: s.default,
      ...(s.channel === 'whatsapp' ? { wabaId: s.wabaId } : {}),
      ...(s.channel !== 'email' && s.ratePerSecond !== undefined ? { ratePerSecond: s.ratePerSecond } : {}),
    })),
  );
}

/** The senders of one channel, in the file's order. */
export function sendersOn<C extends SenderChannel>(senders: readonly Sender[], channel: C): Extract<Sender, { channel: C }>[] {
  return senders.filter((s): s is Extract<Sender, { channel: C }> => s.channel === channel);
}

/** Reads `config/<name>.json` from `dir`. */
export function loadConfig(dir: string, name: EnvironmentName): EnvironmentConfig {
  const path = join(dir, `${name}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, [`cannot be read as JSON: ${(e as Error).message}`]);
  }
  return parseConfig(raw, path, name);
}

/** Throws unless `sendMode` is allowed in `environment`; the stack calls it again before use. */
export function assertSendModeAllowed(environment: EnvironmentName, sendMode: SendMode): void {
  if (sendMode === 'LIVE' && !LIVE_ENVIRONMENTS.includes(environment)) {
    throw new ConfigError(environment, [`sendMode LIVE is not allowed in ${environment}; use DRY_RUN`]);
  }
}
