// Why this exists: each environment (production, staging, preview) is described by a checked-in
// JSON file under config/. This module turns such a file into a typed, validated value and holds
// the rules that must never bend whatever a file says — above all that only production may send
// for real (`SEND_MODE=LIVE`). Synthesis of a bad file fails here, with every problem listed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ENVIRONMENTS = ['production', 'staging', 'preview'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const SEND_MODES = ['LIVE', 'DRY_RUN'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** Environments allowed to call the messaging providers. Everything else is DRY_RUN. */
export const LIVE_ENVIRONMENTS: readonly EnvironmentName[] = ['production'];

/** Retention values CloudWatch Logs accepts, from 30 days up (the platform's minimum). */
export const LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

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
  /** AWS End User Messaging SMS pool. */
  readonly smsPoolId: string;
  /** SES verified sender identity (address or domain). */
  readonly sesSender: string;
  /** WhatsApp phone-number ids that may send (the allowlist); empty means no WhatsApp sends. */
  readonly whatsAppPhoneNumberIds: readonly string[];
  readonly bedrockKnowledgeBaseId: string;
  readonly bedrockAgentId: string;
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
  readonly defaultTenantId: string;
  /** ISO 3166 region for phone numbers written without a country code. */
  readonly defaultPhoneRegion: string;
  /**
   * The tenant each WhatsApp number serves, for the numbers that do not serve `defaultTenantId`:
   * `phone-number-id-…` → tenant. Every key must be one of `existing.whatsAppPhoneNumberIds`;
   * a configured number without an entry serves the default tenant (see `tenantOfEachNumber`).
   */
  readonly whatsAppNumberTenants: Readonly<Record<string, string>>;
  /**
   * Business-initiated WhatsApp conversations (a template outside a contact's 24 h window) each
   * tenant may open in a moving 24 h: the number's messaging tier at Meta (tier 1 is 250). The
   * send path refuses the next one with TIER_LIMIT_EXCEEDED and alerts once at 80 %.
   */
  readonly whatsAppTierLimit: number;
  /** The log group every function writes to (the specification's `/base-wecare-digital/common`). */
  readonly logGroupName: string;
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** Addresses subscribed to the alerts topic. */
  readonly alertEmails: readonly string[];
  /** Put an AWS WAF web ACL in front of the CloudFront distribution. */
  readonly webApplicationFirewall: boolean;
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
  resourcePrefix: /^[a-z][a-z0-9-]{0,30}-$/,
  logLevel: /^[A-Za-z0-9_:=,.-]+$/,
  tenant: /^[a-z0-9][a-z0-9-]{0,62}$/,
  phoneRegion: /^[A-Z]{2}$/,
  logGroupName: /^\/[A-Za-z0-9_/.#-]{1,511}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  userPoolId: /^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/,
  appClientId: /^[a-z0-9]{1,128}$/,
  snsTopicArn: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  bucketName: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  smsPoolId: /^pool-[0-9a-f]{32}$/,
  sesSender: /^([^@\s]+@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
  whatsAppPhoneNumberId: /^phone-number-id-[0-9a-f]{32}$/,
  bedrockId: /^[0-9A-Z]{10}$/,
  roleArn: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
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
  const oneOf = <T extends string | number>(o: Json, key: string, allowed: readonly T[]): T => {
    const v = o[key];
    if (!(allowed as readonly unknown[]).includes(v)) {
      problems.push(`${key} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
      return allowed[0] as T;
    }
    return v as T;
  };

  const known = new Set([
    'environment', 'account', 'region', 'resourcePrefix', 'sendMode', 'logLevel', 'defaultTenantId', 'defaultPhoneRegion',
    'whatsAppNumberTenants', 'whatsAppTierLimit', 'logGroupName', 'logRetentionDays', 'alertEmails', 'webApplicationFirewall', 'useExistingFunctionRole', 'existing',
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
      'cognitoUserPoolId', 'cognitoAppClientIds', 'inboundTopicArn', 'mediaBucketName', 'reportsBucketName', 'smsPoolId', 'sesSender',
      'whatsAppPhoneNumberIds', 'bedrockKnowledgeBaseId', 'bedrockAgentId', 'functionRoleArn',
    ]);
    for (const key of Object.keys(existingRaw)) if (!knownExisting.has(key)) problems.push(`${w}${key} is not a known setting`);
    existing = {
      cognitoUserPoolId: str(existingRaw, 'cognitoUserPoolId', PATTERNS.userPoolId, w),
      cognitoAppClientIds: strings(existingRaw, 'cognitoAppClientIds', PATTERNS.appClientId, w),
      inboundTopicArn: str(existingRaw, 'inboundTopicArn', PATTERNS.snsTopicArn, w),
      mediaBucketName: str(existingRaw, 'mediaBucketName', PATTERNS.bucketName, w),
      reportsBucketName: str(existingRaw, 'reportsBucketName', PATTERNS.bucketName, w),
      smsPoolId: str(existingRaw, 'smsPoolId', PATTERNS.smsPoolId, w),
      sesSender: str(existingRaw, 'sesSender', PATTERNS.sesSender, w),
      whatsAppPhoneNumberIds: strings(existingRaw, 'whatsAppPhoneNumberIds', PATTERNS.whatsAppPhoneNumberId, w),
      bedrockKnowledgeBaseId: str(existingRaw, 'bedrockKnowledgeBaseId', PATTERNS.bedrockId, w),
      bedrockAgentId: str(existingRaw, 'bedrockAgentId', PATTERNS.bedrockId, w),
      functionRoleArn: str(existingRaw, 'functionRoleArn', PATTERNS.roleArn, w),
    };
  }

  const whatsAppNumberTenants: Record<string, string> = {};
  const tenantsRaw = raw['whatsAppNumberTenants'];
  if (!isObject(tenantsRaw)) {
    problems.push(`whatsAppNumberTenants must be an object of phone-number id → tenant (got ${JSON.stringify(tenantsRaw)})`);
  } else {
    for (const [number, tenant] of Object.entries(tenantsRaw)) {
      const where = `whatsAppNumberTenants.${number}`;
      if (!PATTERNS.whatsAppPhoneNumberId.test(number)) problems.push(`${where}: the key must match ${PATTERNS.whatsAppPhoneNumberId}`);
      else if (existing && !existing.whatsAppPhoneNumberIds.includes(number)) {
        // The handler may fetch media and reply only through the configured numbers (IAM is
        // scoped to them), so a tenant for any other number could never be served.
        problems.push(`${where}: ${number} is not one of existing.whatsAppPhoneNumberIds`);
      }
      if (typeof tenant !== 'string' || !PATTERNS.tenant.test(tenant)) problems.push(`${where} must be a tenant id matching ${PATTERNS.tenant} (got ${JSON.stringify(tenant)})`);
      else whatsAppNumberTenants[number] = tenant;
    }
  }

  const config: EnvironmentConfig = {
    environment,
    account: str(raw, 'account', PATTERNS.account),
    region,
    resourcePrefix: str(raw, 'resourcePrefix', PATTERNS.resourcePrefix),
    sendMode,
    logLevel: str(raw, 'logLevel', PATTERNS.logLevel),
    defaultTenantId: str(raw, 'defaultTenantId', PATTERNS.tenant),
    defaultPhoneRegion: str(raw, 'defaultPhoneRegion', PATTERNS.phoneRegion),
    whatsAppNumberTenants,
    whatsAppTierLimit: positiveInteger(raw, 'whatsAppTierLimit'),
    logGroupName: str(raw, 'logGroupName', PATTERNS.logGroupName),
    logRetentionDays: oneOf(raw, 'logRetentionDays', LOG_RETENTION_DAYS),
    alertEmails: strings(raw, 'alertEmails', PATTERNS.email),
    webApplicationFirewall,
    useExistingFunctionRole: bool(raw, 'useExistingFunctionRole'),
    existing: existing as ExistingResources,
  };
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

/**
 * Every configured WhatsApp number with the tenant it serves, in `existing.whatsAppPhoneNumberIds`
 * order: its `whatsAppNumberTenants` entry, else the default tenant.
 */
export function tenantOfEachNumber(config: EnvironmentConfig): [phoneNumberId: string, tenant: string][] {
  return config.existing.whatsAppPhoneNumberIds.map((id) => [id, config.whatsAppNumberTenants[id] ?? config.defaultTenantId]);
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
