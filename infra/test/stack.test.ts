// The synthesized stacks hold what schema.json and DESIGN promise: every table with its keys,
// indexes and TTL; the queues and their redrive; every function on arm64 with its environment
// and least-privilege grants; the inbound WhatsApp path from the existing topic to inbound-dlq;
// every route behind the authorizer except health; the console and the API on one distribution;
// alarms and the delivery dashboard; every variable the Rust configs read, the senders each tenant
// owns with the grants on exactly those, the tenancy of the authorizer, the send path's media,
// tier and alert wiring, the bulk path (bulk-queue → bulk-worker, the reports bucket, the job
// alarms) and the WhatsApp template catalogue (SystemConfig and the template actions, for exactly
// the functions whose Rust code reaches it, and the schedule that refreshes it once a WhatsApp
// number is configured). Built once, without bundling.

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvironmentName, loadConfig, type Sender, sendersVariable, TEMPLATE_CATALOGUE_MAX_AGE_MINUTES } from '../lib/config';
import { AI_BATCH_SIZE, AI_CALL_TIMEOUT, AI_DRAFTS_FUNCTION, AI_DRAFTS_TIMEOUT, AI_MAX_CONCURRENCY, AI_MAX_RECEIVES, AI_QUERY_FUNCTION } from '../lib/constructs/ai';
import { AUTHORIZER_CACHE_TTL } from '../lib/constructs/api';
import { BULK_BATCH_SIZE, BULK_WORKER, BULK_WORKER_TIMEOUT } from '../lib/constructs/bulk';
import {
  ALERTS_KEY_ACTIONS,
  DRAIN_ACTIONS,
  IMPORTS_PREFIX,
  INCOMING_MEDIA_PREFIX,
  MANIFESTS_PREFIX,
  OUTGOING_MEDIA_PREFIX,
  PREVIEWS_PREFIX,
  REPORTS_PREFIX,
  REPORT_PARTS_PREFIX,
} from '../lib/constructs/functions';
import { INBOUND_MAX_EVENT_AGE, INBOUND_RETRY_ATTEMPTS } from '../lib/constructs/inbound';
import { AI_QUEUE_RETENTION, BULK_MAX_RECEIVE_COUNT, DLQ_RETENTION, Messaging, VISIBILITY_TO_TIMEOUT_RATIO, visibilityTimeoutFor } from '../lib/constructs/messaging';
import { API_INTEGRATION_TIMEOUT, FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT } from '../lib/constructs/rust-function';
import { MIN_REFRESH_INTERVAL, REFRESH_MAX_EVENT_AGE, REFRESH_RETRY_ATTEMPTS, refreshInterval, TEMPLATES_FUNCTION } from '../lib/constructs/templates';
import {
  AI_DRAFT_REQUEST_FAILED,
  AI_DRAFT_REQUEST_FAILURE_REASONS,
  AI_DRAFTS_GIVEN_UP,
  AI_ERROR_DIMENSION_SETS,
  AI_ERROR_KINDS,
  AI_ERRORS,
  AI_ORIGINS,
  BULK_FAILURE_RATE_ALARM_PERCENT,
  BULK_JOB_DURATION_SECONDS,
  BULK_JOB_FAILURE_RATE,
  BULK_JOB_THROUGHPUT,
  BULK_OUTCOMES,
  BULK_JOB_DIMENSIONS,
  BULK_RECIPIENT_DIMENSIONS,
  BULK_RECIPIENTS,
  CHANNELS,
  DELIVERY_DIMENSIONS,
  DELIVERY_FAILED,
  DELIVERY_SUCCEEDED,
  ENVIRONMENT_DIMENSION,
  METRICS_NAMESPACE,
  TEMPLATE_CATEGORIES,
  TEMPLATE_MESSAGE_DIMENSIONS,
  TEMPLATE_MESSAGES,
} from '../lib/metrics';
import { AUTHORIZER_FUNCTION, type Schema } from '../lib/schema';
import { INBOUND_HANDLER, type WecareStack } from '../lib/wecare-stack';
import { LIST_LINKED_ACCOUNTS, WIRING } from '../lib/wiring';
import { buildTestApp, CONFIG_DIR, FUNCTIONS_DIR, INFRA_DIR, logicalIdOf, type Resource, resourcesOf, SCHEMA, templateOf, TEST_WHATSAPP_ID, testConfig, withAgentAlias } from './helpers';

const templates = new Map<EnvironmentName, Template>();
const tpl = (env: EnvironmentName): Template => {
  const t = templates.get(env);
  if (!t) throw new Error(`no template for ${env}`);
  return t;
};
const prefix = (env: EnvironmentName): string => testConfig(env).resourcePrefix;

/** The function behind /api/dlq, which runs the inbound handler's code on replayed events. */
const DLQ_REPLAY = 'dlq-replay';

before(() => {
  const { stacks } = buildTestApp();
  for (const env of ENVIRONMENTS) templates.set(env, templateOf(stacks, env));
});

const tableId = (t: Template, env: EnvironmentName, name: string): string =>
  logicalIdOf(t, 'AWS::DynamoDB::Table', (p) => p['TableName'] === `${prefix(env)}${name}`, `table ${name}`);
const functionId = (t: Template, env: EnvironmentName, name: string): string =>
  logicalIdOf(t, 'AWS::Lambda::Function', (p) => p['FunctionName'] === `${prefix(env)}${name}`, `function ${name}`);
const queueId = (t: Template, env: EnvironmentName, name: string): string =>
  logicalIdOf(t, 'AWS::SQS::Queue', (p) => p['QueueName'] === `${prefix(env)}${name}`, `queue ${name}`);
const functionProps = (t: Template, env: EnvironmentName, name: string): Record<string, unknown> =>
  (t.toJSON()['Resources'] as Record<string, Resource>)[functionId(t, env, name)]?.Properties ?? {};
const envOf = (t: Template, env: EnvironmentName, name: string): Record<string, unknown> =>
  ((functionProps(t, env, name)['Environment'] as { Variables: Record<string, unknown> }).Variables);

/** Actions granted on `tableLogicalId` by the policy attached to `roleLogicalId`. */
function tableActions(t: Template, roleLogicalId: string, tableLogicalId: string): Set<string> {
  const actions = new Set<string>();
  for (const [, policy] of resourcesOf(t, 'AWS::IAM::Policy')) {
    const roles = policy.Properties['Roles'] as unknown[];
    if (!JSON.stringify(roles).includes(`"${roleLogicalId}"`)) continue;
    const doc = policy.Properties['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] };
    for (const st of doc.Statement) {
      if (!JSON.stringify(st.Resource).includes(`"${tableLogicalId}"`)) continue;
      for (const a of [st.Action].flat()) actions.add(a);
    }
  }
  return actions;
}
/** The stack's own functions: those it names (a preview also has aws-cdk-lib's unnamed bucket-emptying provider). */
const platformFunctions = (t: Template): [string, Resource][] => resourcesOf(t, 'AWS::Lambda::Function').filter(([, r]) => typeof r.Properties['FunctionName'] === 'string');
const roleOf = (t: Template, env: EnvironmentName, fn: string): string =>
  ((functionProps(t, env, fn)['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];

describe('tables come from schema.json', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: one PAY_PER_REQUEST table per definition, nothing else`, () => {
      tpl(env).resourceCountIs('AWS::DynamoDB::Table', SCHEMA.tables.length);
    });
  }

  for (const def of SCHEMA.tables) {
    it(`${def.name}: keys, indexes, TTL and durability as defined`, () => {
      for (const env of ENVIRONMENTS) {
        const t = tpl(env);
        const production = env === 'production';
        const keyAttributes = [def.partitionKey, def.sortKey, ...def.gsis.flatMap((g) => [g.partitionKey, g.sortKey])];
        t.hasResourceProperties('AWS::DynamoDB::Table', {
          TableName: `${prefix(env)}${def.name}`,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: def.partitionKey, KeyType: 'HASH' },
            { AttributeName: def.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: Match.arrayEquals([...new Set(keyAttributes)].map((a) => ({ AttributeName: a, AttributeType: 'S' }))),
          GlobalSecondaryIndexes:
            def.gsis.length === 0
              ? Match.absent()
              : Match.arrayEquals(
                  def.gsis.map((g) => ({
                    IndexName: g.name,
                    KeySchema: [
                      { AttributeName: g.partitionKey, KeyType: 'HASH' },
                      { AttributeName: g.sortKey, KeyType: 'RANGE' },
                    ],
                    Projection: { ProjectionType: g.projection },
                  })),
                ),
          TimeToLiveSpecification: def.ttlAttribute === null ? Match.absent() : { AttributeName: def.ttlAttribute, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: def.durable },
          DeletionProtectionEnabled: production,
        });
        const id = tableId(t, env, def.name);
        const resource = (t.toJSON()['Resources'] as Record<string, { DeletionPolicy?: string }>)[id];
        assert.equal(resource?.DeletionPolicy, production ? 'Retain' : 'Delete', `${env} ${def.name} deletion policy`);
      }
    });
  }
});

describe('queues follow DESIGN §5', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: five encrypted, TLS-only queues; bulk-queue redrives to bulk-dlq, ai-queue to nothing`, () => {
      const t = tpl(env);
      t.resourceCountIs('AWS::SQS::Queue', 5);
      for (const dlq of ['inbound-dlq', 'bulk-dlq', 'outbound-dlq']) {
        t.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: `${prefix(env)}${dlq}`,
          MessageRetentionPeriod: DLQ_RETENTION.toSeconds(),
          SqsManagedSseEnabled: true,
          RedrivePolicy: Match.absent(),
        });
      }
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `${prefix(env)}bulk-queue`,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId(t, env, 'bulk-dlq'), 'Arn'] }, maxReceiveCount: BULK_MAX_RECEIVE_COUNT },
      });
      // No dead-letter queue: ai-generate-response gives a request up itself (see "the AI assistant").
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `${prefix(env)}ai-queue`,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: AI_QUEUE_RETENTION.toSeconds(),
        RedrivePolicy: Match.absent(),
      });
      for (const [, policy] of resourcesOf(t, 'AWS::SQS::QueuePolicy')) {
        assert.match(JSON.stringify(policy.Properties['PolicyDocument']), /"aws:SecureTransport":"false"/);
      }
      t.resourceCountIs('AWS::SQS::QueuePolicy', 5);
    });

    it(`${env}: bulk-queue's visibility is ${VISIBILITY_TO_TIMEOUT_RATIO}× its consumer's (bulk-worker's) timeout, and every SQS consumer's rule holds`, () => {
      const t = tpl(env);
      const bulk = (t.toJSON()['Resources'] as Record<string, Resource>)[queueId(t, env, 'bulk-queue')];
      const visibility = bulk?.Properties['VisibilityTimeout'] as number;
      const workerTimeout = functionProps(t, env, BULK_WORKER)['Timeout'] as number;
      assert.equal(workerTimeout, BULK_WORKER_TIMEOUT.toSeconds());
      assert.equal(visibility, VISIBILITY_TO_TIMEOUT_RATIO * workerTimeout, `${visibility} s vs the worker's ${workerTimeout} s`);
      // Any SQS event source must respect the rule for its own consumer.
      const resources = t.toJSON()['Resources'] as Record<string, Resource>;
      for (const [id, mapping] of resourcesOf(t, 'AWS::Lambda::EventSourceMapping')) {
        const queue = resources[((mapping.Properties['EventSourceArn'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0]];
        const consumer = resources[(mapping.Properties['FunctionName'] as { Ref: string }).Ref];
        assert.ok(queue && consumer, `${id} connects a queue of this stack to a function of this stack`);
        assert.ok(
          (queue.Properties['VisibilityTimeout'] as number) >= VISIBILITY_TO_TIMEOUT_RATIO * (consumer.Properties['Timeout'] as number),
          `${id}: visibility of ${String(queue.Properties['QueueName'])} vs timeout of ${String(consumer.Properties['FunctionName'])}`,
        );
      }
    });
  }
});

describe('functions come from schema.json', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: one arm64 provided.al2023 function per name, traced, logging to the common group`, () => {
      const t = tpl(env);
      assert.equal(platformFunctions(t).length, SCHEMA.functions.length);
      const logGroupId = logicalIdOf(t, 'AWS::Logs::LogGroup', (p) => p['LogGroupName'] === testConfig(env).logGroupName, 'common log group');
      for (const name of SCHEMA.functions) {
        t.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: `${prefix(env)}${name}`,
          Architectures: ['arm64'],
          Runtime: 'provided.al2023',
          Handler: 'bootstrap',
          MemorySize: FUNCTION_MEMORY_MB,
          Timeout: (name === BULK_WORKER ? BULK_WORKER_TIMEOUT : FUNCTION_TIMEOUT).toSeconds(),
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: logGroupId }, LogFormat: 'JSON' },
        });
      }
    });

    it(`${env}: every function gets the common environment, every table and every queue`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      for (const name of SCHEMA.functions) {
        const vars = envOf(t, env, name);
        assert.equal(vars['SEND_MODE'], config.sendMode, `${name} SEND_MODE`);
        assert.equal(vars['ENVIRONMENT'], env);
        assert.equal(vars['LOG_LEVEL'], config.logLevel);
        assert.equal(vars['DEFAULT_PHONE_REGION'], config.defaultPhoneRegion);
        for (const def of SCHEMA.tables) assert.deepEqual(vars[def.envVar], { Ref: tableId(t, env, def.name) }, `${name} ${def.envVar}`);
        for (const [variable, queue] of [
          ['INBOUND_DLQ_URL', 'inbound-dlq'],
          ['BULK_QUEUE_URL', 'bulk-queue'],
          ['BULK_DLQ_URL', 'bulk-dlq'],
          ['OUTBOUND_DLQ_URL', 'outbound-dlq'],
          ['AI_QUEUE_URL', 'ai-queue'],
        ] as const) {
          assert.deepEqual(vars[variable], { Ref: queueId(t, env, queue) }, `${name} ${variable}`);
        }
      }
    });
  }

  it('the SEND_MODE guard: only production is LIVE, every staging and preview function is DRY_RUN', () => {
    for (const env of ENVIRONMENTS) {
      for (const name of SCHEMA.functions) {
        assert.equal(envOf(tpl(env), env, name)['SEND_MODE'], env === 'production' ? 'LIVE' : 'DRY_RUN', `${env} ${name}`);
      }
    }
  });

  it('the authorizer knows the issuer, the JWKS and the console client', () => {
    const t = tpl('production');
    const vars = envOf(t, 'production', AUTHORIZER_FUNCTION);
    const poolId = testConfig('production').existing.cognitoUserPoolId;
    assert.equal(vars['COGNITO_ISSUER'], `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);
    assert.equal(vars['JWKS_URL'], `https://cognito-idp.us-east-1.amazonaws.com/${poolId}/.well-known/jwks.json`);
    const clientId = logicalIdOf(t, 'AWS::Cognito::UserPoolClient', () => true, 'console client');
    assert.deepEqual(vars['COGNITO_CLIENT_IDS'], { Ref: clientId });
  });

  it('each function is granted exactly the tables lib/wiring.ts lists', () => {
    const t = tpl('production');
    const read = ['dynamodb:GetItem', 'dynamodb:Query'];
    const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
    for (const name of SCHEMA.functions) {
      const role = roleOf(t, 'production', name);
      const wiring = WIRING[name];
      assert.ok(wiring, `${name} has wiring`);
      for (const def of SCHEMA.tables) {
        const actions = tableActions(t, role, tableId(t, 'production', def.name));
        const access = wiring.tables[def.name];
        const expected = access === undefined ? [] : access === 'read' ? read : access === 'write' ? write : [...read, ...write];
        for (const a of expected) assert.ok(actions.has(a), `${name} may ${a} on ${def.name}`);
        if (access === undefined) assert.equal(actions.size, 0, `${name} has no access to ${def.name}`);
        if (access === 'write') assert.ok(!actions.has('dynamodb:GetItem'), `${name} only writes ${def.name}`);
      }
    }
    // Spot checks of the brief, independent of the wiring table.
    const contacts = tableId(t, 'production', 'Contacts');
    const audit = tableId(t, 'production', 'AuditLogs');
    const users = tableId(t, 'production', 'Users');
    assert.ok(tableActions(t, roleOf(t, 'production', 'contacts-create'), contacts).has('dynamodb:PutItem'));
    assert.ok(tableActions(t, roleOf(t, 'production', 'contacts-create'), audit).has('dynamodb:PutItem'));
    assert.ok(tableActions(t, roleOf(t, 'production', AUTHORIZER_FUNCTION), users).has('dynamodb:UpdateItem'));
    assert.equal(tableActions(t, roleOf(t, 'production', 'contacts-read'), users).size, 0);
    // messages-read marks a conversation read: UpdateItem on its Messages row in a transaction
    // with the audit entry; it still only reads contacts.
    const messages = tableId(t, 'production', 'Messages');
    const reader = roleOf(t, 'production', 'messages-read');
    for (const a of ['dynamodb:Query', 'dynamodb:UpdateItem']) assert.ok(tableActions(t, reader, messages).has(a), `messages-read may ${a} on Messages`);
    assert.ok(tableActions(t, reader, audit).has('dynamodb:PutItem'));
    assert.ok(!tableActions(t, reader, contacts).has('dynamodb:PutItem') && !tableActions(t, reader, contacts).has('dynamodb:UpdateItem'), 'messages-read does not write contacts');
  });

  it('only the outbound functions and bulk-worker may send, each through its own providers and configured senders (and alerts by email)', () => {
    const t = tpl('staging');
    const policies = resourcesOf(t, 'AWS::IAM::Policy');
    const sendActionsOf = (name: string): string[] => {
      const role = roleOf(t, 'staging', name);
      const actions: string[] = [];
      for (const [, p] of policies) {
        const roles = (p.Properties['Roles'] as { Ref: string }[] | undefined) ?? [];
        if (!roles.some((r) => r.Ref === role)) continue;
        const doc = p.Properties['PolicyDocument'] as { Statement: { Action: string | string[] }[] };
        for (const st of doc.Statement) {
          for (const a of [st.Action].flat()) if (/^(social-messaging|sms-voice|ses):/.test(a)) actions.push(a);
        }
      }
      return actions;
    };
    assert.deepEqual(sendActionsOf('outbound-sms'), ['sms-voice:SendTextMessage']);
    assert.deepEqual(sendActionsOf('outbound-email'), ['ses:SendEmail']);
    // On the configured pool, and on the configured address and its domain (SES authorizes
    // against whichever of the two is the verified identity).
    const arnOf = (resource: string): unknown => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${resource}`]] });
    const resourcesOfActions = (name: string, prefix: string): unknown[] =>
      statementsOf(t, roleOf(t, 'staging', name)).filter((st) => actionsOf(st).some((a) => a.startsWith(prefix))).flatMap(resourcesIn);
    assert.deepEqual(resourcesOfActions('outbound-sms', 'sms-voice:'), [arnOf('sms-voice:us-east-1:809904170947:pool/pool-6fbf5a5f390d4eeeaa7dbae39d78933e')]);
    assert.deepEqual(resourcesOfActions('outbound-email', 'ses:'), [
      arnOf('ses:us-east-1:809904170947:identity/one@wecare.digital'),
      arnOf('ses:us-east-1:809904170947:identity/wecare.digital'),
    ]);
    // outbound-whatsapp emails a tenant's alert recipients (the tier warning) from its email
    // sender, as an email send would.
    assert.deepEqual(sendActionsOf('outbound-whatsapp'), ['ses:SendEmail']);
    assert.deepEqual(resourcesOfActions('outbound-whatsapp', 'ses:'), resourcesOfActions('outbound-email', 'ses:'));
    // The bulk worker sends on every channel, from the same senders as the outbound functions.
    assert.deepEqual(sendActionsOf(BULK_WORKER).sort(), ['ses:SendEmail', 'sms-voice:SendTextMessage']);
    assert.deepEqual(resourcesOfActions(BULK_WORKER, 'sms-voice:'), resourcesOfActions('outbound-sms', 'sms-voice:'));
    assert.deepEqual(resourcesOfActions(BULK_WORKER, 'ses:'), resourcesOfActions('outbound-email', 'ses:'));
    // Staging lists no WhatsApp number, so nobody may call End User Messaging Social there, the
    // inbound handler included (with numbers: see "the inbound WhatsApp path").
    for (const name of SCHEMA.functions.filter((f) => !f.startsWith('outbound-') && f !== BULK_WORKER)) {
      assert.deepEqual(sendActionsOf(name), [], `${name} cannot send`);
    }
    const env = envOf(t, 'staging', 'outbound-sms');
    assert.equal(env['RATE_SMS_PER_SECOND'], '5');
  });

  it('no function role carries an AWS managed policy', () => {
    for (const [, role] of resourcesOf(tpl('production'), 'AWS::IAM::Role')) {
      assert.equal(role.Properties['ManagedPolicyArns'], undefined);
    }
  });
});

/** Every statement of the policies attached to `roleLogicalId`. */
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };
function statementsOf(t: Template, roleLogicalId: string): Statement[] {
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties['Roles']).includes(`"${roleLogicalId}"`))
    .flatMap(([, p]) => (p.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
}
const actionsOf = (st: Statement): string[] => [st.Action].flat();
const resourcesIn = (st: Statement): unknown[] => [st.Resource].flat();

/** End User Messaging Social actions on a phone number (lib/wiring.ts `WhatsAppAction`). */
const PHONE_NUMBER_ACTIONS: readonly string[] = ['SendWhatsAppMessage', 'GetWhatsAppMessageMedia', 'PostWhatsAppMessageMedia'].map((a) => `social-messaging:${a}`);

/**
 * What a function may do with End User Messaging Social, as sorted `<action> <resource>` lines
 * (the resource as JSON), whatever statements CDK merged them into.
 */
function socialGrantsOf(t: Template, env: EnvironmentName, name: string): string[] {
  return statementsOf(t, roleOf(t, env, name))
    .flatMap((st) => {
      assert.equal(st.Effect, 'Allow');
      assert.equal(st.Condition, undefined);
      return actionsOf(st)
        .filter((a) => a.startsWith('social-messaging:'))
        .flatMap((a) => resourcesIn(st).map((r) => `${a} ${JSON.stringify(r)}`));
    })
    .sort();
}

/** The S3 statements of a function's policies, checked to be plain object grants of their own. */
function s3StatementsOf(t: Template, env: EnvironmentName, name: string): Statement[] {
  const s3 = statementsOf(t, roleOf(t, env, name)).filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')));
  for (const st of s3) {
    assert.equal(st.Effect, 'Allow');
    assert.equal(st.Condition, undefined);
    assert.ok(actionsOf(st).every((a) => a.startsWith('s3:')), `${name}: S3 actions stand in statements of their own`);
    assert.ok(resourcesIn(st).every((r) => typeof r === 'string' && /^arn:aws:s3:::[a-z0-9.-]+\/[a-z][a-z-]*\/\*$/.test(r)), `${name}: S3 objects under one prefix, never a bucket`);
  }
  return s3;
}

/**
 * The environment variables a Rust Config reads through `env.required` / `env.parsed` /
 * `env.list` / `env.optional`, outside its tests. An optional one has a default in Rust, but is
 * listed all the same: the stack must either set it or say why not (`CONDITIONAL_VARIABLES`).
 */
function variablesReadBy(relativePath: string): string[] {
  const source = readFileSync(join(INFRA_DIR, '..', relativePath), 'utf8').split('#[cfg(test)]')[0] ?? '';
  return [...source.matchAll(/env\.(?:required|parsed|list|optional)\(\s*"([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1] as string);
}

/** `src/**\/*.rs` of a crate directory (relative to the repository), binaries left out. */
function rustSources(crateDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(INFRA_DIR, '..', dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'bin' ? [] : walk(`${dir}/${e.name}`)) : e.name.endsWith('.rs') ? [`${dir}/${e.name}`] : [],
    );
  return walk(`${crateDir}/src`);
}

/**
 * The workspace crates (`wecare-*`) a function's Cargo.toml depends on, with their directories,
 * and the other functions' crates whose code it runs (dlq-replay runs the inbound handler's).
 */
function workspaceCratesOf(fn: string): Map<string, string> {
  const root = readFileSync(join(INFRA_DIR, '..', 'Cargo.toml'), 'utf8');
  const dirs = new Map([...root.matchAll(/^(wecare-[a-z-]+)\s*=\s*\{\s*path\s*=\s*"([^"]+)"/gm)].map((m) => [m[1] as string, m[2] as string]));
  const dependenciesOf = (manifestPath: string): string[] => {
    const manifest = readFileSync(manifestPath, 'utf8');
    // Only [dependencies]: what a crate's tests use is not built into the function.
    const deps = manifest.split(/^\[dev-dependencies\]/m)[0] ?? '';
    const functions = [...deps.matchAll(/^([a-z][a-z0-9-]*)\s*=\s*\{\s*path\s*=\s*"\.\.\/([a-z0-9-]+)"/gm)].map((m) => m[2] as string);
    for (const f of functions) dirs.set(f, `functions/${f}`);
    return [...[...deps.matchAll(/^(wecare-[a-z-]+)(?:\.workspace)?\s*=/gm)].map((m) => m[1] as string), ...functions];
  };
  // The function's workspace crates and theirs, transitively: wecare-bulk brings wecare-messaging.
  const crates = new Map<string, string>();
  const pending = dependenciesOf(join(FUNCTIONS_DIR, fn, 'Cargo.toml')).map((name) => [name, fn] as const);
  while (pending.length > 0) {
    const [name, from] = pending.pop() as readonly [string, string];
    if (crates.has(name)) continue;
    const dir = dirs.get(name);
    assert.ok(dir, `${from} depends on ${name}, which the workspace Cargo.toml does not list with a path`);
    crates.set(name, dir);
    pending.push(...dependenciesOf(join(INFRA_DIR, '..', dir, 'Cargo.toml')).map((n) => [n, name] as const));
  }
  return crates;
}

/** Every variable a function's Rust code (its crate and the workspace crates it uses) reads. */
function variablesReadByFunction(fn: string): Set<string> {
  const crateDirs = [`functions/${fn}`, ...workspaceCratesOf(fn).values()];
  return new Set(crateDirs.flatMap(rustSources).flatMap(variablesReadBy));
}

/** The functions built on `wecare_messaging` (its Config and Deps), by their Cargo.toml. */
const MESSAGING_FUNCTIONS = SCHEMA.functions.filter((f) => workspaceCratesOf(f).has('wecare-messaging'));
/** What `wecare_messaging::Config` reads beyond the common environment. */
const MESSAGING_ONLY_VARIABLES = ['SENDERS', 'MEDIA_BUCKET', 'ALERTS_TOPIC_ARN', 'WHATSAPP_TIER_LIMIT', 'TEMPLATE_CATALOGUE_MAX_AGE_MINUTES'] as const;
/** The variables the per-tenant senders replaced: no function may be given them any more. */
const REMOVED_VARIABLES = ['WHATSAPP_PHONE_NUMBER_IDS', 'WHATSAPP_NUMBER_TENANTS', 'SMS_ORIGINATION_IDENTITY', 'EMAIL_SENDER'] as const;

/**
 * Variables a Rust config reads only in some deployments, with whether `config` sets them: the
 * authorizer's default tenant exists only in single mode (in multi mode a token without
 * custom:tenant_id is refused, so there is no default to read); the agent's alias only once one is
 * configured; `STALE_CLAIM_SECONDS` and
 * `BULK_REPORT_PART` in none — the Rust default is the deployed value, and the variable exists for
 * tests to shorten it.
 */
const CONDITIONAL_VARIABLES: Readonly<Record<string, (config: EnvironmentConfig, fn: string) => boolean>> = {
  DEFAULT_TENANT_ID: (config, fn) => config.tenancy.mode === 'single' && fn === AUTHORIZER_FUNCTION,
  STALE_CLAIM_SECONDS: () => false,
  // Likewise: the size of a finishing job's report parts, shortened by the tests that finish a job in several.
  BULK_REPORT_PART: () => false,
  // dlq-replay links wecare-bulk for the shape of bulk work (wecare_bulk::work::Work) only; it
  // never builds wecare_bulk::Config, and touches no report.
  REPORTS_BUCKET: (_config, fn) => fn !== DLQ_REPLAY,
  // No alias of the Bedrock agent configured, none told (production refuses that; staging and
  // previews warn, and their AI functions then fail at their cold start: test/deploy.test.ts).
  AI_AGENT_ALIAS_ID: (config) => config.existing.bedrockAgentAliasId !== null,
};
const expectedIn = (config: EnvironmentConfig, fn: string, variable: string): boolean => CONDITIONAL_VARIABLES[variable]?.(config, fn) ?? true;

const NUMBER_A = `phone-number-id-${'a'.repeat(32)}`;
const NUMBER_B = `phone-number-id-${'b'.repeat(32)}`;
/** How many WhatsApp numbers the configuration `env` was built from lists (production: the test number). */
const sendersOnWhatsApp = (env: EnvironmentName): number => testConfig(env).senders.filter((s) => s.channel === 'whatsapp').length;

/** Production as it will be once two numbers are configured, one of them for another tenant. */
const withNumbers = (): EnvironmentConfig => {
  const base = withAgentAlias(loadConfig(CONFIG_DIR, 'production'));
  const numbers: Sender[] = [
    { tenant: 'wecare', channel: 'whatsapp', id: NUMBER_A, label: '+91 93309 94400', default: true, wabaId: '1347766229904230' },
    { tenant: 'globex', channel: 'whatsapp', id: NUMBER_B, label: '+91 99033 00044', default: false, wabaId: '1390647332755815', ratePerSecond: 20 },
  ];
  return { ...base, senders: [...numbers, ...base.senders] };
};

describe('the inbound WhatsApp path', () => {
  let numbered: Template;
  before(() => {
    const { stacks } = buildTestApp({ environments: ['production'], configs: { production: withNumbers() } });
    numbered = templateOf(stacks, 'production');
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: the handler is subscribed to the existing topic; what SNS cannot deliver goes to inbound-dlq`, () => {
      const t = tpl(env);
      const topicArn = testConfig(env).existing.inboundTopicArn;
      const fn = functionId(t, env, INBOUND_HANDLER);
      const dlq = queueId(t, env, 'inbound-dlq');
      const lambdaSubscriptions = resourcesOf(t, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties['Protocol'] === 'lambda');
      assert.equal(lambdaSubscriptions.length, 1, 'one Lambda subscription');
      assert.deepEqual(lambdaSubscriptions[0]?.[1].Properties, {
        Protocol: 'lambda',
        TopicArn: topicArn,
        Endpoint: { 'Fn::GetAtt': [fn, 'Arn'] },
        Region: testConfig(env).region,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
      });
      t.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: topicArn,
      });
      // SNS may write to inbound-dlq, for this topic only.
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlq }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            },
          ]),
        },
      });
    });

    it(`${env}: Lambda retries a failed event twice, then sends its invocation record to inbound-dlq`, () => {
      const t = tpl(env);
      const fn = functionId(t, env, INBOUND_HANDLER);
      const dlq = queueId(t, env, 'inbound-dlq');
      assert.equal(INBOUND_RETRY_ATTEMPTS, 2);
      assert.ok(INBOUND_MAX_EVENT_AGE.toSeconds() >= 60 && INBOUND_MAX_EVENT_AGE.toSeconds() <= 6 * 3600);
      t.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: INBOUND_MAX_EVENT_AGE.toSeconds(),
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
      // The on-failure destination, not also a function DLQ: each failure lands there once.
      assert.equal(functionProps(t, env, INBOUND_HANDLER)['DeadLetterConfig'], undefined);
      const sends = statementsOf(t, roleOf(t, env, INBOUND_HANDLER)).filter((st) => actionsOf(st).includes('sqs:SendMessage'));
      assert.ok(
        sends.flatMap(resourcesIn).some((r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [dlq, 'Arn'] })),
        'Lambda may send the record with the function role',
      );
    });

    it(`${env}: the handler sends events no tenant owns to inbound-dlq, confirmations it failed to send to outbound-dlq and requests for AI drafts to ai-queue itself: their URLs and sqs:SendMessage on those queues only`, () => {
      const t = tpl(env);
      const dlq = queueId(t, env, 'inbound-dlq');
      const outbound = queueId(t, env, 'outbound-dlq');
      assert.deepEqual(envOf(t, env, INBOUND_HANDLER)['INBOUND_DLQ_URL'], { Ref: dlq });
      assert.deepEqual(envOf(t, env, INBOUND_HANDLER)['OUTBOUND_DLQ_URL'], { Ref: outbound });
      assert.deepEqual(envOf(t, env, INBOUND_HANDLER)['AI_QUEUE_URL'], { Ref: queueId(t, env, 'ai-queue') });
      assert.deepEqual(WIRING[INBOUND_HANDLER]?.sendsTo, ['inbound-dlq', 'outbound-dlq', 'ai-queue'], 'granted by its wiring, not only as a side effect of the on-failure destination');
      const granted = sqsGrantsOf(t, env, INBOUND_HANDLER);
      assert.deepEqual([...new Set(granted.filter((g) => g.startsWith('sqs:SendMessage ')))], ['sqs:SendMessage ai-queue', 'sqs:SendMessage inbound-dlq', 'sqs:SendMessage outbound-dlq']);
      // Besides, the on-failure destination's own grant (SqsDestination) reads inbound-dlq's attributes and URL.
      assert.deepEqual(
        granted.filter((g) => !g.startsWith('sqs:SendMessage ')),
        ['sqs:GetQueueAttributes inbound-dlq', 'sqs:GetQueueUrl inbound-dlq'],
        'no other queue, nothing received',
      );
      // Nobody else may touch inbound-dlq but the DLQ replay (see "the DLQ replay") and the
      // overview, which reads its depth (see "the overview"); the bulk functions' bulk-queue: see
      // "the bulk path".
      const watched: Record<string, string[]> = { [OVERVIEW]: ['sqs:GetQueueAttributes inbound-dlq', 'sqs:GetQueueAttributes outbound-dlq'] };
      for (const name of SCHEMA.functions.filter((f) => f !== INBOUND_HANDLER && f !== DLQ_REPLAY)) {
        assert.deepEqual(sqsGrantsOf(t, env, name).filter((g) => / (inbound|outbound)-dlq$/.test(g)), watched[name] ?? [], `${name} on inbound-dlq and outbound-dlq`);
      }
    });

    it(`${env}: the handler gets every variable its Config and the send path's Config read`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      const vars = envOf(t, env, INBOUND_HANDLER);
      const read = [
        ...variablesReadBy('functions/inbound-whatsapp-handler/src/lib.rs'),
        ...variablesReadBy('crates/messaging/src/config.rs'),
      ];
      for (const name of ['MEDIA_BUCKET', 'SENDERS', 'INBOUND_DLQ_URL', 'MEDIA_FILES_TABLE', 'DEFAULT_PHONE_REGION', 'SEND_MODE', 'RATE_WHATSAPP_PER_SECOND']) {
        assert.ok(read.includes(name), `the Rust configs read ${name} (is the scan of the sources still right?)`);
      }
      for (const name of read) if (expectedIn(config, INBOUND_HANDLER, name)) assert.ok(name in vars, `${INBOUND_HANDLER} has ${name}`);
      assert.equal(vars['MEDIA_BUCKET'], config.existing.mediaBucketName);
      assert.equal(vars['DEFAULT_PHONE_REGION'], config.defaultPhoneRegion);
      assert.deepEqual(vars['MEDIA_FILES_TABLE'], { Ref: tableId(t, env, 'MediaFiles') });
      // It finds an event's tenant through the senders, never through a default.
      assert.equal(vars['SENDERS'], sendersVariable(config.senders));
      assert.equal(vars['DEFAULT_TENANT_ID'], undefined);
      // The send path's settings are the ones outbound-whatsapp sends with, not a copy.
      const outbound = envOf(t, env, 'outbound-whatsapp');
      for (const name of variablesReadBy('crates/messaging/src/config.rs')) assert.deepEqual(vars[name], outbound[name], name);
    });
  }

  it('the handler is told every tenant\'s numbers, with the tenant, business account and rate of each', () => {
    const vars = envOf(numbered, 'production', INBOUND_HANDLER);
    assert.deepEqual(JSON.parse(String(vars['SENDERS'])), [
      { tenant: 'globex', channel: 'whatsapp', id: NUMBER_B, label: '+91 99033 00044', default: false, wabaId: '1390647332755815', ratePerSecond: 20 },
      { tenant: 'wecare', channel: 'whatsapp', id: NUMBER_A, label: '+91 93309 94400', default: true, wabaId: '1347766229904230' },
      { tenant: 'wecare', channel: 'sms', id: 'pool-6fbf5a5f390d4eeeaa7dbae39d78933e', label: 'WECARE.DIGITAL (SMS pool)', default: true },
      { tenant: 'wecare', channel: 'email', id: 'one@wecare.digital', label: 'WECARE.DIGITAL <one@wecare.digital>', default: true },
    ]);
    for (const name of REMOVED_VARIABLES) assert.equal(vars[name], undefined, name);
  });

  it('the handler may fetch media and send only through the configured numbers, as outbound-whatsapp sends', () => {
    const t = numbered;
    // EUM Social's ARN names the number by its id without the `phone-number-id-` prefix.
    const numberArn = (id: string): unknown => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:social-messaging:us-east-1:809904170947:phone-number-id/${id.replace(/^phone-number-id-/, '')}`]],
    });
    // The statements on phone numbers; the template catalogue's, on business accounts, are checked
    // in "the WhatsApp template catalogue".
    const socialOf = (fn: string): Statement[] =>
      statementsOf(t, roleOf(t, 'production', fn)).filter((st) => actionsOf(st).some((a) => PHONE_NUMBER_ACTIONS.includes(a)));
    for (const name of SCHEMA.functions) {
      for (const st of socialOf(name)) assert.ok(actionsOf(st).every((a) => PHONE_NUMBER_ACTIONS.includes(a)), `${name}: phone-number actions stand in statements of their own`);
    }
    const inbound = socialOf(INBOUND_HANDLER);
    assert.equal(inbound.length, 1);
    assert.deepEqual(actionsOf(inbound[0] as Statement).sort(), ['social-messaging:GetWhatsAppMessageMedia', 'social-messaging:SendWhatsAppMessage']);
    assert.deepEqual(resourcesIn(inbound[0] as Statement), [numberArn(NUMBER_A), numberArn(NUMBER_B)]);
    const outbound = socialOf('outbound-whatsapp');
    for (const st of outbound) assert.deepEqual(resourcesIn(st), resourcesIn(inbound[0] as Statement), 'the same numbers as outbound-whatsapp');
    // A file is posted to WhatsApp (from outgoing/) before it is sent; fetching inbound media is not a send.
    assert.deepEqual(outbound.flatMap(actionsOf).sort(), ['social-messaging:PostWhatsAppMessageMedia', 'social-messaging:SendWhatsAppMessage']);
    // The bulk worker sends from the same numbers, and posts a template's media header first.
    const bulk = socialOf(BULK_WORKER);
    assert.deepEqual(bulk.flatMap(actionsOf).sort(), ['social-messaging:PostWhatsAppMessageMedia', 'social-messaging:SendWhatsAppMessage']);
    for (const st of bulk) assert.deepEqual(resourcesIn(st), resourcesIn(inbound[0] as Statement), 'the same numbers as the inbound handler');
    // The DLQ replay runs the inbound handler's code on a replayed event: the same actions on the
    // same numbers, nothing more.
    assert.deepEqual(socialOf(DLQ_REPLAY), inbound, 'the DLQ replay may do what the inbound handler does');
    // An approved AI suggestion is a WhatsApp text from the same numbers: a send, no file.
    const approvals = socialOf(AI_DRAFTS_FUNCTION);
    assert.deepEqual(approvals.flatMap(actionsOf), ['social-messaging:SendWhatsAppMessage']);
    for (const st of approvals) assert.deepEqual(resourcesIn(st), resourcesIn(inbound[0] as Statement), 'the same numbers as the inbound handler');
    for (const name of SCHEMA.functions.filter((f) => ![INBOUND_HANDLER, 'outbound-whatsapp', BULK_WORKER, DLQ_REPLAY, AI_DRAFTS_FUNCTION].includes(f))) {
      assert.deepEqual(socialOf(name), [], `${name} can do nothing with a phone number`);
    }
  });

  it('the media bucket: each function gets only its object actions under its own prefixes', () => {
    const bucket = testConfig('production').existing.mediaBucketName;
    const objects = (prefix: string): string => `arn:aws:s3:::${bucket}/${prefix}*`;
    assert.equal(INCOMING_MEDIA_PREFIX, 'incoming/');
    assert.equal(OUTGOING_MEDIA_PREFIX, 'outgoing/');
    // Inbound media is put under incoming/; operators' uploads are signed for, HEADed and posted
    // to WhatsApp under outgoing/; the timeline signs downloads of both, and nothing else.
    const expected: Record<string, string[]> = {
      [INBOUND_HANDLER]: [`s3:PutObject ${objects(INCOMING_MEDIA_PREFIX)}`],
      'outbound-whatsapp': [`s3:GetObject ${objects(OUTGOING_MEDIA_PREFIX)}`, `s3:PutObject ${objects(OUTGOING_MEDIA_PREFIX)}`],
      'messages-read': [`s3:GetObject ${objects(INCOMING_MEDIA_PREFIX)}`, `s3:GetObject ${objects(OUTGOING_MEDIA_PREFIX)}`],
      // A template job's media header, uploaded under outgoing/, is HEADed and posted by each send.
      [BULK_WORKER]: [`s3:GetObject ${objects(OUTGOING_MEDIA_PREFIX)}`],
      // A media header's sample file, uploaded under outgoing/, is handed to Meta from the bucket.
      'whatsapp-templates': [`s3:GetObject ${objects(OUTGOING_MEDIA_PREFIX)}`],
      // A replayed inbound event's file is put where the inbound handler puts it.
      [DLQ_REPLAY]: [`s3:PutObject ${objects(INCOMING_MEDIA_PREFIX)}`],
    };
    for (const t of [tpl('production'), numbered]) {
      for (const name of SCHEMA.functions) {
        const s3 = s3StatementsOf(t, 'production', name);
        const granted = s3
          .flatMap((st) => actionsOf(st).flatMap((a) => resourcesIn(st).map((r) => `${a} ${String(r)}`)))
          .filter((g) => g.includes(`:::${bucket}/`))
          .sort();
        assert.deepEqual(granted, expected[name] ?? [], `${name} on the media bucket`);
      }
    }
  });
});

describe('the messaging config', () => {
  it('is built by exactly the functions whose crate uses wecare-messaging, and lib/wiring.ts says so', () => {
    assert.deepEqual([...MESSAGING_FUNCTIONS].sort(), [
      AI_DRAFTS_FUNCTION,
      AI_QUERY_FUNCTION,
      'bulk-job-control',
      'bulk-job-create',
      BULK_WORKER,
      DLQ_REPLAY,
      INBOUND_HANDLER,
      'messages-read',
      'outbound-email',
      'outbound-sms',
      'outbound-whatsapp',
      'whatsapp-templates',
    ]);
    assert.deepEqual(SCHEMA.functions.filter((f) => WIRING[f]?.messagingConfig === true).sort(), [...MESSAGING_FUNCTIONS].sort());
    const read = variablesReadBy('crates/messaging/src/config.rs');
    for (const name of [...MESSAGING_ONLY_VARIABLES, 'SEND_MODE', 'RATE_EMAIL_PER_SECOND', 'MESSAGES_TABLE']) {
      assert.ok(read.includes(name), `crates/messaging/src/config.rs reads ${name} (is the scan of the sources still right?)`);
    }
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: every function gets every variable its Rust code reads`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      for (const name of SCHEMA.functions) {
        const vars = envOf(t, env, name);
        for (const variable of variablesReadByFunction(name)) {
          if (expectedIn(config, name, variable)) assert.ok(variable in vars, `${name} has ${variable}`);
          else assert.equal(vars[variable], undefined, `${name} is not told ${variable} in this deployment`);
        }
      }
      for (const name of MESSAGING_FUNCTIONS) {
        const read = variablesReadByFunction(name);
        for (const variable of variablesReadBy('crates/messaging/src/config.rs')) assert.ok(read.has(variable), `the scan of ${name} includes ${variable}`);
      }
    });

    it(`${env}: the messaging functions get the media bucket, the alerts topic, the tier and the template catalogue's age; no other function does`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', (p) => p['TopicName'] === `${prefix(env)}alerts`, 'alerts topic');
      assert.equal(config.whatsAppTierLimit, 250, 'tier 1 of the specification');
      for (const name of SCHEMA.functions) {
        const vars = envOf(t, env, name);
        if (MESSAGING_FUNCTIONS.includes(name)) {
          assert.equal(vars['MEDIA_BUCKET'], config.existing.mediaBucketName, `${name} MEDIA_BUCKET`);
          assert.deepEqual(vars['ALERTS_TOPIC_ARN'], { Ref: topicId }, `${name} ALERTS_TOPIC_ARN`);
          assert.equal(vars['WHATSAPP_TIER_LIMIT'], '250', `${name} WHATSAPP_TIER_LIMIT`);
          assert.equal(vars['TEMPLATE_CATALOGUE_MAX_AGE_MINUTES'], String(config.whatsAppTemplateCatalogueMaxAgeMinutes), `${name} TEMPLATE_CATALOGUE_MAX_AGE_MINUTES`);
        } else {
          for (const variable of MESSAGING_ONLY_VARIABLES) assert.equal(vars[variable], undefined, `${name} is not told ${variable}`);
        }
      }
    });
  }

  it('WHATSAPP_TIER_LIMIT is the environment\'s whatsAppTierLimit', () => {
    const config: EnvironmentConfig = { ...testConfig('preview'), whatsAppTierLimit: 1000 };
    const t = templateOf(buildTestApp({ environments: ['preview'], configs: { preview: config } }).stacks, 'preview');
    for (const name of MESSAGING_FUNCTIONS) assert.equal(envOf(t, 'preview', name)['WHATSAPP_TIER_LIMIT'], '1000', name);
  });

  it('TEMPLATE_CATALOGUE_MAX_AGE_MINUTES is the environment\'s whatsAppTemplateCatalogueMaxAgeMinutes', () => {
    const config: EnvironmentConfig = { ...testConfig('preview'), whatsAppTemplateCatalogueMaxAgeMinutes: 240 };
    const t = templateOf(buildTestApp({ environments: ['preview'], configs: { preview: config } }).stacks, 'preview');
    for (const name of MESSAGING_FUNCTIONS) assert.equal(envOf(t, 'preview', name)['TEMPLATE_CATALOGUE_MAX_AGE_MINUTES'], '240', name);
  });
});

describe('senders belong to tenants', () => {
  let numbered: Template;
  let single: Template;
  let multi: Template;
  let silent: { template: Template; stack: WecareStack };
  before(() => {
    numbered = templateOf(buildTestApp({ environments: ['production'], configs: { production: withNumbers() } }).stacks, 'production');
    const singleConfig: EnvironmentConfig = { ...testConfig('staging'), tenancy: { mode: 'single', defaultTenantId: 'wecare' } };
    single = templateOf(buildTestApp({ environments: ['staging'], configs: { staging: singleConfig } }).stacks, 'staging');
    const multiConfig: EnvironmentConfig = { ...testConfig('staging'), tenancy: { mode: 'multi' } };
    multi = templateOf(buildTestApp({ environments: ['staging'], configs: { staging: multiConfig } }).stacks, 'staging');
    const { stacks } = buildTestApp({ environments: ['staging'], configs: { staging: { ...testConfig('staging'), senders: [] } } });
    const stack = stacks.get('staging');
    assert.ok(stack);
    silent = { template: templateOf(stacks, 'staging'), stack };
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: every messaging function gets SENDERS, the whole list as JSON, and no other function does`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      const expected = [
        // Production is built with a test number while its file lists none (test/helpers.ts).
        ...(env === 'production' ? [{ tenant: 'wecare', channel: 'whatsapp', id: TEST_WHATSAPP_ID, label: '+91 00000 00000', default: false, wabaId: '1347766229904230' }] : []),
        { tenant: 'wecare', channel: 'sms', id: 'pool-6fbf5a5f390d4eeeaa7dbae39d78933e', label: 'WECARE.DIGITAL (SMS pool)', default: true },
        { tenant: 'wecare', channel: 'email', id: 'one@wecare.digital', label: 'WECARE.DIGITAL <one@wecare.digital>', default: true },
      ];
      for (const name of SCHEMA.functions) {
        const senders = envOf(t, env, name)['SENDERS'];
        if (MESSAGING_FUNCTIONS.includes(name)) {
          assert.equal(senders, sendersVariable(config.senders), `${name} SENDERS`);
          assert.deepEqual(JSON.parse(String(senders)), expected, `${name} SENDERS`);
        } else {
          assert.equal(senders, undefined, `${name} is not told the senders`);
        }
      }
    });

    it(`${env}: no function is given a variable the senders replaced, and only the authorizer a default tenant`, () => {
      for (const name of SCHEMA.functions) {
        const vars = envOf(tpl(env), env, name);
        for (const variable of REMOVED_VARIABLES) assert.equal(vars[variable], undefined, `${env} ${name} ${variable}`);
        if (name !== AUTHORIZER_FUNCTION) assert.equal(vars['DEFAULT_TENANT_ID'], undefined, `${env} ${name} DEFAULT_TENANT_ID`);
      }
    });
  }

  it('the outbound functions send from the same list, WhatsApp numbers with their business account', () => {
    const expected = envOf(numbered, 'production', INBOUND_HANDLER)['SENDERS'];
    for (const name of ['outbound-whatsapp', 'outbound-sms', 'outbound-email', 'messages-read']) {
      assert.equal(envOf(numbered, 'production', name)['SENDERS'], expected, name);
    }
    const numbers = (JSON.parse(String(expected)) as { channel: string; tenant: string; wabaId?: string }[]).filter((s) => s.channel === 'whatsapp');
    assert.deepEqual(numbers.map((s) => [s.tenant, s.wabaId]), [['globex', '1390647332755815'], ['wecare', '1347766229904230']]);
    for (const name of SCHEMA.functions) {
      const vars = envOf(numbered, 'production', name);
      for (const variable of REMOVED_VARIABLES) assert.equal(vars[variable], undefined, `${name} ${variable}`);
    }
  });

  it('multi mode: the authorizer is told TENANCY=multi and no function a default tenant', () => {
    const env = 'staging';
    assert.equal(envOf(multi, env, AUTHORIZER_FUNCTION)['TENANCY'], 'multi');
    for (const name of SCHEMA.functions) {
      assert.equal(envOf(multi, env, name)['DEFAULT_TENANT_ID'], undefined, name);
      if (name !== AUTHORIZER_FUNCTION) assert.equal(envOf(multi, env, name)['TENANCY'], undefined, `${name} TENANCY`);
    }
  });

  it('single mode: the authorizer alone is told the default tenant', () => {
    const vars = envOf(single, 'staging', AUTHORIZER_FUNCTION);
    assert.equal(vars['TENANCY'], 'single');
    assert.equal(vars['DEFAULT_TENANT_ID'], 'wecare');
    for (const name of SCHEMA.functions.filter((f) => f !== AUTHORIZER_FUNCTION)) {
      assert.equal(envOf(single, 'staging', name)['DEFAULT_TENANT_ID'], undefined, name);
      assert.equal(envOf(single, 'staging', name)['TENANCY'], undefined, `${name} TENANCY`);
    }
  });

  it('the send grants name exactly the configured senders, WhatsApp numbers by their bare id', () => {
    const grantsOn = (t: Template, name: string, prefix: string): string[] =>
      statementsOf(t, roleOf(t, 'production', name))
        .filter((st) => actionsOf(st).some((a) => a.startsWith(prefix)))
        .flatMap((st) => resourcesIn(st).map((r) => JSON.stringify(r)));
    const arn = (resource: string): string => JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${resource}`]] });
    assert.deepEqual(grantsOn(numbered, 'outbound-whatsapp', 'social-messaging:SendWhatsAppMessage'), [
      arn(`social-messaging:us-east-1:809904170947:phone-number-id/${'a'.repeat(32)}`),
      arn(`social-messaging:us-east-1:809904170947:phone-number-id/${'b'.repeat(32)}`),
    ]);
    assert.deepEqual(grantsOn(numbered, 'outbound-sms', 'sms-voice:'), [arn('sms-voice:us-east-1:809904170947:pool/pool-6fbf5a5f390d4eeeaa7dbae39d78933e')]);
  });

  it('a channel without senders is granted nothing, and staging warns for each (production refuses: test/deploy.test.ts)', () => {
    const t = silent.template;
    for (const name of SCHEMA.functions) {
      const provider = statementsOf(t, roleOf(t, 'staging', name)).filter((st) => actionsOf(st).some((a) => /^(social-messaging|sms-voice|ses):/.test(a)));
      assert.deepEqual(provider, [], `${name} may call no provider`);
      if (MESSAGING_FUNCTIONS.includes(name)) assert.equal(envOf(t, 'staging', name)['SENDERS'], '[]', name);
    }
    for (const what of ['WhatsApp number', 'SMS origination identity', 'email sender']) {
      Annotations.fromStack(silent.stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp(`senders in config/staging.json lists no ${what}`));
    }
    // The checked-in staging has SMS and email senders: only WhatsApp is warned about.
    const { stacks } = buildTestApp({ environments: ['staging'] });
    const warnings = Annotations.fromStack(stacks.get('staging') as WecareStack).findWarning('/WecareDigital-staging', Match.stringLikeRegexp('lists no'));
    assert.deepEqual(warnings.map((w) => String(w.entry.data).match(/lists no (\w+)/)?.[1]), ['WhatsApp']);
  });
});

/** A Rust source file of the repository, without its tests. */
const rustSource = (relativePath: string): string => readFileSync(join(INFRA_DIR, '..', relativePath), 'utf8').split('#[cfg(test)]')[0] ?? '';

/** The IAM action of an SDK operation method: `list_whats_app_message_templates` → `ListWhatsAppMessageTemplates`. */
const iamActionOf = (method: string): string => method.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/**
 * What each method of `wecare_messaging::catalogue::TemplateCatalogue` may call at End User
 * Messaging Social: its own SDK operations (`.list_whats_app_message_templates()`) and those of
 * the methods it calls on `self`, transitively — read from crates/messaging/src/catalogue.rs.
 */
let reachOfCatalogue: Map<string, Set<string>> | undefined;
function catalogueReach(): Map<string, Set<string>> {
  if (reachOfCatalogue !== undefined) return reachOfCatalogue;
  const source = rustSource('crates/messaging/src/catalogue.rs');
  const starts = [...source.matchAll(/\bfn (\w+)/g)];
  const bodies = new Map(starts.map((m, i) => [m[1] as string, source.slice(m.index, starts[i + 1]?.index ?? source.length)]));
  const reach = (name: string, seen: Set<string>): Set<string> => {
    const actions = new Set<string>();
    if (seen.has(name)) return actions;
    seen.add(name);
    const body = bodies.get(name) ?? '';
    for (const m of body.matchAll(/\.(\w+_whats_app_\w+)\(\)/g)) actions.add(iamActionOf(m[1] as string));
    for (const m of body.matchAll(/\bself\s*\.\s*(\w+)\s*\(/g)) {
      if (bodies.has(m[1] as string)) for (const a of reach(m[1] as string, seen)) actions.add(a);
    }
    return actions;
  };
  reachOfCatalogue = new Map([...bodies.keys()].map((name) => [name, reach(name, new Set())]));
  return reachOfCatalogue;
}

/**
 * The members of the template catalogue that Rust code names (`….catalogue.sync(`,
 * `….catalogue.repo.put(`): its methods, and `repo` for its table alone.
 */
const CATALOGUE_USE = /\bcatalogue\s*\.\s*(\w+)\s*[(.]/g;

/** A Rust function: where it is defined, whether it takes `self`, and its text up to the next one. */
interface RustFn {
  readonly file: string;
  /** The crate's directory (`crates/bulk`). */
  readonly crate: string;
  /** The file's stem, the module a path names it by (`create` for `create::preview(`). */
  readonly module: string;
  readonly name: string;
  readonly method: boolean;
  readonly body: string;
}

/** The Rust functions of `files`, tests left out. */
function rustFunctions(files: readonly string[]): RustFn[] {
  return files.flatMap((file) => {
    const source = rustSource(file);
    const starts = [...source.matchAll(/\bfn (\w+)\s*(?:<[^(]*>)?\s*\(\s*(?:&\s*(?:'\w+\s+)?(?:mut\s+)?|mut\s+)?(self\b)?/g)];
    return starts.map((m, i) => ({
      file,
      crate: file.slice(0, file.indexOf('/src/')),
      module: basename(file, '.rs'),
      name: m[1] as string,
      method: m[2] !== undefined,
      body: source.slice(m.index, starts[i + 1]?.index ?? source.length),
    }));
  });
}

/**
 * The name a crate's root is called by (`inbound_whatsapp_handler::handle(` reaches the handler's
 * lib.rs): a function crate's own, a shared crate's with its `wecare_` prefix.
 */
const libNameOf = (crateDir: string): string =>
  `${crateDir.startsWith('functions/') ? '' : 'wecare_'}${basename(crateDir).replace(/-/g, '_')}`;

/** A call: `.name(` (a method), `module::name(` / `crate::name(` / `Type::name(`, or a bare `name(`. */
const RUST_CALL = /(\.\s*|(\w+)\s*::\s*)?\b(\w+)\s*(?:::<[^>]*>)?\s*\(/g;

/**
 * Functions that send WhatsApp through the send pipeline, but only ever a text, so that its
 * template check is never reached: ai-generate-response sends an approved suggestion's text
 * (wecare_ai::suggestions::approve). "the AI assistant" holds the claim against the Rust code.
 */
const TEXT_ONLY_WHATSAPP_SENDERS: ReadonlySet<string> = new Set([AI_DRAFTS_FUNCTION]);

/** The send pipeline, whose one code path serves every channel (see `catalogueMethodsOf`). */
const SEND_PIPELINE = 'crates/messaging/src/pipeline.rs';

/**
 * The members of the template catalogue a function reaches. Two doors:
 * - its own code: the Rust functions of its crate and those of its workspace crates they call,
 *   transitively — bulk-job-create reaches the catalogue through wecare-bulk's planning,
 *   bulk-job-control and bulk-worker's own code do not — the send pipeline left out, because
 * - the send pipeline checks every template send against the catalogue and counts it there, but
 *   serves every channel with one code path, which a call graph cannot tell apart: it counts for
 *   the functions that send WhatsApp on an operator's behalf (`sends: ['whatsapp']`). The inbound
 *   handler's own sends (the opt-out confirmation) are texts.
 * Calls are resolved by name, without types: `module::name(` to that module's function, a bare
 * `name(` to its file's or else its crate's, `.name(` to any method so named, `Type::name(` to
 * any function so named — an over-approximation, where a false match asks for a grant and never
 * hides one. Only `TemplateCatalogue`'s own methods (crates/messaging/src/catalogue.rs) and
 * `repo` (its table alone) count as members.
 */
const catalogueMethods = new Map<string, Set<string>>();
function catalogueMethodsOf(fn: string): Set<string> {
  const known = catalogueMethods.get(fn);
  if (known !== undefined) return known;
  const own = rustSources(`functions/${fn}`);
  const shared = [...workspaceCratesOf(fn).values()].flatMap(rustSources).filter((f) => f !== SEND_PIPELINE);
  const all = rustFunctions([...own, ...shared]);
  const methods = new Set<string>();
  const pending = all.filter((f) => own.includes(f.file));
  const seen = new Set<RustFn>();
  while (pending.length > 0) {
    const f = pending.pop() as RustFn;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of f.body.matchAll(CATALOGUE_USE)) methods.add(m[1] as string);
    for (const [, dot, path, name] of f.body.matchAll(RUST_CALL)) {
      const named = all.filter((g) => g.name === name);
      let callees: RustFn[];
      // The first group holds `path::` too: a path is told apart by the second.
      if (path !== undefined)
        callees = /^[a-z_]/.test(path) ? named.filter((g) => (g.module === path || (g.module === 'lib' && libNameOf(g.crate) === path)) && !g.method) : named;
      else if (dot !== undefined) callees = named.filter((g) => g.method);
      else {
        const local = named.filter((g) => g.file === f.file && !g.method);
        callees = local.length > 0 ? local : named.filter((g) => g.crate === f.crate && !g.method);
      }
      pending.push(...callees.filter((g) => !seen.has(g)));
    }
  }
  if (WIRING[fn]?.sends?.includes('whatsapp') && !TEXT_ONLY_WHATSAPP_SENDERS.has(fn)) {
    for (const m of rustSource(SEND_PIPELINE).matchAll(CATALOGUE_USE)) methods.add(m[1] as string);
  }
  // A local `catalogue` (the stored `Catalogue` a method answered) is not the catalogue itself.
  const members = new Set([...catalogueReach().keys(), 'repo']);
  const reached = new Set([...methods].filter((m) => members.has(m)));
  catalogueMethods.set(fn, reached);
  return reached;
}

/** The End User Messaging Social actions a function's code may call through the template catalogue. */
function catalogueActionsOf(fn: string): Set<string> {
  const reach = catalogueReach();
  const actions = new Set<string>();
  for (const method of [...catalogueMethodsOf(fn)].filter((m) => m !== 'repo')) {
    const reached = reach.get(method);
    assert.ok(reached, `${fn} calls catalogue.${method}, which crates/messaging/src/catalogue.rs does not define (is the scan still right?)`);
    for (const a of reached) actions.add(a);
  }
  return actions;
}

describe('the WhatsApp template catalogue', () => {
  let numbered: Template;
  before(() => {
    numbered = templateOf(buildTestApp({ environments: ['production'], configs: { production: withNumbers() } }).stacks, 'production');
  });
  const wabaArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:809904170947:waba/*']] };

  it('the scan of the Rust code finds what the catalogue calls and who calls it', () => {
    const reach = catalogueReach();
    // A send's lookup syncs on a miss: the account's AWS id, the list, and each new or changed template.
    assert.deepEqual([...(reach.get('versions') ?? [])].sort(), [LIST_LINKED_ACCOUNTS, 'GetWhatsAppMessageTemplate', 'ListWhatsAppMessageTemplates'].sort());
    // Every operation first finds the account's AWS id: ListLinkedWhatsAppBusinessAccounts comes
    // with any template action (lib/wiring.ts grants it so).
    for (const method of new Set(SCHEMA.functions.flatMap((f) => [...catalogueMethodsOf(f)]))) {
      const actions = reach.get(method) ?? new Set<string>();
      if (actions.size > 0) assert.ok(actions.has(LIST_LINKED_ACCOUNTS), `catalogue.${method}`);
    }
    assert.deepEqual([...new Set([...rustSource(SEND_PIPELINE).matchAll(CATALOGUE_USE)].map((m) => m[1]))].sort(), ['repo', 'versions']);
    // Who reaches it, and why: a template status event updates the catalogue of the inbound
    // handler's tenants (and syncs it for a template it does not know); outbound-whatsapp and
    // bulk-worker check each template send (syncing on a miss) and count it; bulk-job-create checks
    // a job's template once when it plans the job; whatsapp-templates is the catalogue's API.
    // The DLQ replay runs the inbound handler's code on a replayed event, template decisions too.
    const users = SCHEMA.functions.filter((f) => catalogueMethodsOf(f).size > 0).sort();
    assert.deepEqual(users, ['bulk-job-create', BULK_WORKER, DLQ_REPLAY, INBOUND_HANDLER, 'outbound-whatsapp', 'whatsapp-templates'].sort());
    for (const name of ['outbound-whatsapp', BULK_WORKER]) assert.ok(catalogueMethodsOf(name).has('versions') && catalogueMethodsOf(name).has('repo'), `${name} checks and counts its template sends`);
    assert.ok(catalogueMethodsOf(INBOUND_HANDLER).has('apply_status'), 'the inbound handler applies template status events');
    assert.deepEqual([...catalogueActionsOf(INBOUND_HANDLER)].sort(), [...(reach.get('sync') ?? [])].sort(), 'the inbound handler syncs on an unknown template');
  });

  it('whatsapp-templates may call exactly what the catalogue calls: template actions on the business accounts, ListLinkedWhatsAppBusinessAccounts on "*"', () => {
    const everything = new Set([...catalogueReach().values()].flatMap((a) => [...a]));
    assert.deepEqual([...catalogueActionsOf('whatsapp-templates')].sort(), [...everything].sort(), 'the API reaches every operation of the catalogue');
    assert.deepEqual(socialGrantsOf(numbered, 'production', 'whatsapp-templates'), [
      ...[
        'CreateWhatsAppMessageTemplate',
        'CreateWhatsAppMessageTemplateFromLibrary',
        'CreateWhatsAppMessageTemplateMedia',
        'DeleteWhatsAppMessageTemplate',
        'GetWhatsAppMessageTemplate',
        'ListWhatsAppMessageTemplates',
        'ListWhatsAppTemplateLibrary',
      ].map((a) => `social-messaging:${a} ${JSON.stringify(wabaArn)}`),
      `social-messaging:${LIST_LINKED_ACCOUNTS} "*"`,
    ].sort());
  });

  it('every function may call exactly the template actions its code reaches, on the business accounts only, and no phone-number action besides its wiring\'s', () => {
    for (const name of SCHEMA.functions) {
      const actions = catalogueActionsOf(name);
      const expected = [...actions].map((a) => `social-messaging:${a} ${a === LIST_LINKED_ACCOUNTS ? '"*"' : JSON.stringify(wabaArn)}`).sort();
      const granted = socialGrantsOf(numbered, 'production', name).filter((g) => !PHONE_NUMBER_ACTIONS.includes(g.split(' ')[0] as string));
      assert.deepEqual(granted, expected, `${name}'s template actions`);
      // And lib/wiring.ts lists them (ListLinkedWhatsAppBusinessAccounts comes with any of them).
      assert.deepEqual([...(WIRING[name]?.whatsAppTemplates ?? [])].sort(), [...actions].filter((a) => a !== LIST_LINKED_ACCOUNTS).sort(), `${name}'s wiring`);
    }
    // The send path reads templates; it never creates nor deletes one.
    for (const name of ['outbound-whatsapp', BULK_WORKER]) {
      const granted = socialGrantsOf(numbered, 'production', name).filter((g) => !PHONE_NUMBER_ACTIONS.includes(g.split(' ')[0] as string));
      assert.deepEqual(granted, [
        `social-messaging:GetWhatsAppMessageTemplate ${JSON.stringify(wabaArn)}`,
        `social-messaging:${LIST_LINKED_ACCOUNTS} "*"`,
        `social-messaging:ListWhatsAppMessageTemplates ${JSON.stringify(wabaArn)}`,
      ], name);
    }
    // The API manages templates; it sends nothing and touches no phone number.
    assert.deepEqual(socialGrantsOf(numbered, 'production', 'whatsapp-templates').filter((g) => PHONE_NUMBER_ACTIONS.includes(g.split(' ')[0] as string)), []);
    // A template status event (replayed or not), or a job being planned, reads templates like the send path.
    for (const name of [INBOUND_HANDLER, DLQ_REPLAY, 'bulk-job-create']) {
      const granted = socialGrantsOf(numbered, 'production', name).filter((g) => !PHONE_NUMBER_ACTIONS.includes(g.split(' ')[0] as string));
      assert.deepEqual(granted, [
        `social-messaging:GetWhatsAppMessageTemplate ${JSON.stringify(wabaArn)}`,
        `social-messaging:${LIST_LINKED_ACCOUNTS} "*"`,
        `social-messaging:ListWhatsAppMessageTemplates ${JSON.stringify(wabaArn)}`,
      ], name);
    }
  });

  it('without a configured WhatsApp number nobody may call End User Messaging Social at all, templates and linked accounts included', () => {
    for (const env of ['staging', 'preview'] as const) {
      assert.deepEqual(sendersOnWhatsApp(env), 0, `the checked-in ${env} configures no WhatsApp number`);
      for (const name of SCHEMA.functions) assert.deepEqual(socialGrantsOf(tpl(env), env, name), [], `${env} ${name}`);
    }
  });

  for (const [label, template, env] of [
    ['production with the test number', (): Template => tpl('production'), 'production'],
    ['production with WhatsApp numbers', (): Template => numbered, 'production'],
    ['checked-in preview', (): Template => tpl('preview'), 'preview'],
  ] as const) {
    it(`${label}: SystemConfig read and written exactly by the functions that reach the catalogue, which lib/wiring.ts grants template actions, and the one that saves a tenant's settings; read only by the one that checks the AI automation switch`, () => {
      const t = template();
      const systemConfig = tableId(t, env, 'SystemConfig');
      const read = ['dynamodb:GetItem', 'dynamodb:Query'];
      const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      for (const name of SCHEMA.functions) {
        const actions = tableActions(t, roleOf(t, env, name), systemConfig);
        const catalogue = catalogueMethodsOf(name).size > 0;
        // GET/PUT /api/settings (the bulk worker, which reads a campaign's quiet hours, is
        // among the catalogue's readers already).
        const writes = catalogue || name === 'messages-read';
        // ai-generate-response reads a tenant's settings (wecare_store::settings, one GetItem)
        // before each automatic draft: automation may have been turned off since the inbound
        // handler asked. It writes nothing there: it sends text only, and templates are checked
        // against the catalogue only when sent (see TEXT_ONLY_WHATSAPP_SENDERS).
        const reads = writes || name === AI_DRAFTS_FUNCTION;
        if (reads) for (const a of read) assert.ok(actions.has(a), `${name} may ${a} on SystemConfig`);
        if (writes) for (const a of write) assert.ok(actions.has(a), `${name} may ${a} on SystemConfig`);
        else for (const a of write) assert.ok(!actions.has(a), `${name} writes nothing to SystemConfig`);
        if (!reads) assert.equal(actions.size, 0, `${name} has nothing on SystemConfig`);
        assert.equal(WIRING[name]?.tables['SystemConfig'] !== undefined, reads, `${name}: SystemConfig in its wiring`);
        assert.equal((WIRING[name]?.whatsAppTemplates ?? []).length > 0, catalogue, `${name}: template actions in its wiring`);
        // Every messaging function is still told the table: its config requires the variable.
        if (MESSAGING_FUNCTIONS.includes(name)) assert.ok(variablesReadByFunction(name).has('SYSTEM_CONFIG_TABLE') && 'SYSTEM_CONFIG_TABLE' in envOf(t, env, name), `${name} SYSTEM_CONFIG_TABLE`);
      }
    });
  }

  it('whatsapp-templates: SystemConfig and AuditLogs only (the guard audits denials through AuditLogs), the messaging config, and the API\'s timeout', () => {
    const t = numbered;
    const role = roleOf(t, 'production', 'whatsapp-templates');
    for (const def of SCHEMA.tables) {
      const actions = tableActions(t, role, tableId(t, 'production', def.name));
      if (def.name === 'AuditLogs') assert.deepEqual([...actions].filter((a) => ['dynamodb:GetItem', 'dynamodb:Query'].includes(a)), [], 'AuditLogs written only');
      else if (def.name !== 'SystemConfig') assert.equal(actions.size, 0, `whatsapp-templates has nothing on ${def.name}`);
    }
    assert.ok(tableActions(t, role, tableId(t, 'production', 'AuditLogs')).has('dynamodb:PutItem'));
    assert.equal(functionProps(t, 'production', 'whatsapp-templates')['Timeout'], FUNCTION_TIMEOUT.toSeconds());
    assert.ok(FUNCTION_TIMEOUT.toSeconds() <= API_INTEGRATION_TIMEOUT.toSeconds());
    // No sqs, sns, kms, SMS or email: it sends nothing and raises no alert; of S3, only the reads
    // of uploaded header samples (see "the media bucket").
    const others = statementsOf(t, role).flatMap(actionsOf).filter((a) => /^(sqs|sns|kms|sms-voice|ses):/.test(a));
    assert.deepEqual(others, []);
    assert.deepEqual([...new Set(statementsOf(t, role).flatMap(actionsOf).filter((a) => a.startsWith('s3:')))], ['s3:GetObject']);
    const routes = SCHEMA.routes.filter((r) => r.function === 'whatsapp-templates').map((r) => `${r.method} ${r.path} ${String(r.authorized)}`);
    assert.deepEqual(routes.sort(), [
      'DELETE /api/whatsapp/templates/{name} true',
      'GET /api/whatsapp/template-library true',
      'GET /api/whatsapp/template-usage true',
      'GET /api/whatsapp/templates true',
      'POST /api/whatsapp/templates true',
      'POST /api/whatsapp/templates/from-library true',
      'POST /api/whatsapp/templates/sync true',
    ]);
  });
});

/** A rate expression in minutes: `rate(15 minutes)` → 15, `rate(42 hours)` → 2520. */
function rateMinutes(expression: unknown): number {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(String(expression));
  assert.ok(m, `${String(expression)} is a rate expression`);
  return Number(m[1]) * { minute: 1, hour: 60, day: 24 * 60 }[m[2] as 'minute' | 'hour' | 'day'];
}

describe('the template catalogue refresh schedule', () => {
  let numbered: Template;
  before(() => {
    numbered = templateOf(buildTestApp({ environments: ['production'], configs: { production: withNumbers() } }).stacks, 'production');
  });
  const rulesOf = (t: Template): [string, Resource][] => resourcesOf(t, 'AWS::Events::Rule');
  const eventsPermissionsOf = (t: Template): [string, Resource][] =>
    resourcesOf(t, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties['Principal'] === 'events.amazonaws.com');

  it('the Rust side reads TEMPLATE_CATALOGUE_MAX_AGE_MINUTES within the bounds the config allows, and whatsapp-templates refreshes on the schedule\'s default event', () => {
    const config = rustSource('crates/messaging/src/config.rs');
    assert.ok(variablesReadBy('crates/messaging/src/config.rs').includes('TEMPLATE_CATALOGUE_MAX_AGE_MINUTES'), 'crates/messaging/src/config.rs reads TEMPLATE_CATALOGUE_MAX_AGE_MINUTES');
    const bounds = /"TEMPLATE_CATALOGUE_MAX_AGE_MINUTES",[\s\S]*?\((\d+)\.\.=([\d\s*]+)\)\.contains/.exec(config);
    assert.ok(bounds, 'the Rust config checks the age against a range (is the scan still right?)');
    const product = (expr: string): number => expr.split('*').reduce((acc, f) => acc * Number(f.trim()), 1);
    assert.deepEqual({ min: Number(bounds[1]), max: product(bounds[2] as string) }, TEMPLATE_CATALOGUE_MAX_AGE_MINUTES);
    // The rule sends EventBridge's default event; the function tells it from an API request by its source.
    const lib = rustSource(`functions/${TEMPLATES_FUNCTION}/src/lib.rs`);
    assert.match(lib, /\.get\("source"\)[^;]*==\s*Some\("aws\.events"\)/, `${TEMPLATES_FUNCTION} dispatches on "source": "aws.events"`);
    assert.match(lib, /catalogue\s*\.\s*refresh\([^)]*config\.catalogue_max_age/, 'and refreshes what is older than the configured age');
    assert.match(rustSource(`functions/${TEMPLATES_FUNCTION}/src/main.rs`), /handle_event\(/, 'its Lambda entry point takes any event, not only API requests');
  });

  for (const env of ['staging', 'preview'] as const) {
    it(`${env}: without a WhatsApp sender there is no schedule, and EventBridge may invoke nothing`, () => {
      const t = tpl(env);
      assert.equal(sendersOnWhatsApp(env), 0, `the checked-in ${env} configures no WhatsApp number`);
      t.resourceCountIs('AWS::Events::Rule', 0);
      assert.deepEqual(eventsPermissionsOf(t), []);
    });
  }

  it('with WhatsApp senders exactly one rule invokes whatsapp-templates every 15 minutes for a catalogue age of an hour, with the default scheduled event', () => {
    const t = numbered;
    assert.equal(withNumbers().whatsAppTemplateCatalogueMaxAgeMinutes, 60);
    const rules = rulesOf(t);
    assert.equal(rules.length, 1);
    const [, rule] = rules[0] as [string, Resource];
    assert.equal(rule.Properties['Name'], `${prefix('production')}whatsapp-template-refresh`);
    assert.equal(rule.Properties['ScheduleExpression'], 'rate(15 minutes)');
    assert.equal(rule.Properties['State'], 'ENABLED');
    assert.equal(rule.Properties['EventPattern'], undefined, 'a schedule, not a pattern');
    assert.equal(REFRESH_RETRY_ATTEMPTS, 2);
    assert.ok(REFRESH_MAX_EVENT_AGE.toSeconds() >= 60 && REFRESH_MAX_EVENT_AGE.toSeconds() <= 24 * 3600);
    // No Input, InputPath nor InputTransformer: the function recognises the default event's source.
    assert.deepEqual(rule.Properties['Targets'], [
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [functionId(t, 'production', TEMPLATES_FUNCTION), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: REFRESH_RETRY_ATTEMPTS, MaximumEventAgeInSeconds: REFRESH_MAX_EVENT_AGE.toSeconds() },
      },
    ]);
  });

  it('EventBridge may invoke whatsapp-templates and nothing else, through that rule only', () => {
    const t = numbered;
    const [ruleId] = rulesOf(t)[0] as [string, Resource];
    const permissions = eventsPermissionsOf(t);
    assert.deepEqual(permissions.map(([, p]) => p.Properties), [
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId(t, 'production', TEMPLATES_FUNCTION), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      },
    ]);
    // A failed refresh is retried by Lambda's default asynchronous retries (two): the schedule
    // adds no invocation config, the inbound handler's stays the only one.
    t.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it('runs every quarter of the catalogue age, whole minutes, at least every 5 minutes, so no catalogue grows older than 1.25 times the age', () => {
    assert.equal(MIN_REFRESH_INTERVAL.toMinutes(), 5);
    const { min, max } = TEMPLATE_CATALOGUE_MAX_AGE_MINUTES;
    for (let age = min; age <= max; age++) {
      const interval = refreshInterval(age).toMinutes();
      assert.equal(interval, Math.max(5, Math.floor(age / 4)), `age ${age}`);
      if (age >= 20) assert.ok(age + interval <= 1.25 * age, `age ${age}: every ${interval} minutes`);
    }
    // As synthesized: each checked-in environment with WhatsApp numbers and an age of its own (the
    // function is told the same age).
    const ages = { production: 5, staging: 90, preview: max } as const;
    const numbers = withNumbers().senders.filter((s) => s.channel === 'whatsapp');
    const configured = (env: EnvironmentName): EnvironmentConfig => {
      const base = withAgentAlias(loadConfig(CONFIG_DIR, env));
      return { ...base, senders: [...numbers, ...base.senders], whatsAppTemplateCatalogueMaxAgeMinutes: ages[env] };
    };
    const { stacks } = buildTestApp({ configs: { production: configured('production'), staging: configured('staging'), preview: configured('preview') } });
    const expected = { production: 'rate(5 minutes)', staging: 'rate(22 minutes)', preview: 'rate(42 hours)' } as const;
    for (const env of ENVIRONMENTS) {
      const t = templateOf(stacks, env);
      const rules = rulesOf(t);
      assert.equal(rules.length, 1, env);
      const expression = (rules[0] as [string, Resource])[1].Properties['ScheduleExpression'];
      assert.equal(expression, expected[env], env);
      assert.equal(rateMinutes(expression), Math.max(5, Math.floor(ages[env] / 4)), env);
      assert.equal(envOf(t, env, TEMPLATES_FUNCTION)['TEMPLATE_CATALOGUE_MAX_AGE_MINUTES'], String(ages[env]), env);
    }
  });
});

describe('the tier warning on the alerts topic', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: only outbound-whatsapp and bulk-worker may publish, with sns:Publish on the alerts topic and its key's two actions`, () => {
      const t = tpl(env);
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', (p) => p['TopicName'] === `${prefix(env)}alerts`, 'alerts topic');
      const keyId = logicalIdOf(t, 'AWS::KMS::Key', () => true, 'alerts key');
      t.hasResourceProperties('AWS::SNS::Topic', { TopicName: `${prefix(env)}alerts`, KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      for (const name of SCHEMA.functions) {
        const statements = statementsOf(t, roleOf(t, env, name)).filter((st) => actionsOf(st).some((a) => /^(sns|kms):/.test(a)));
        const granted = statements.flatMap((st) => actionsOf(st).flatMap((a) => resourcesIn(st).map((r) => `${a} ${JSON.stringify(r)}`))).sort();
        const expected =
          name === 'outbound-whatsapp' || name === BULK_WORKER
            ? [...ALERTS_KEY_ACTIONS.map((a) => `${a} ${JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] })}`), `sns:Publish ${JSON.stringify({ Ref: topicId })}`].sort()
            : [];
        assert.deepEqual(granted, expected, `${name} on SNS and KMS`);
        for (const st of statements) assert.equal(st.Effect, 'Allow');
      }
      assert.deepEqual([...ALERTS_KEY_ACTIONS].sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
    });
  }

  it('the topic policy lets no function in: the grant is on the role, the policy only refuses plain HTTP', () => {
    for (const env of ENVIRONMENTS) {
      for (const [, policy] of resourcesOf(tpl(env), 'AWS::SNS::TopicPolicy')) {
        for (const st of (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement) assert.equal(st.Effect, 'Deny', `${env} topic policy`);
      }
    }
  });
});

/** What one SQS statement of a function grants, as `<action> <queue name>` lines. */
function sqsGrantsOf(t: Template, env: EnvironmentName, name: string): string[] {
  const queues = new Map(resourcesOf(t, 'AWS::SQS::Queue').map(([id, q]) => [id, String(q.Properties['QueueName']).slice(prefix(env).length)]));
  return statementsOf(t, roleOf(t, env, name))
    .filter((st) => actionsOf(st).some((a) => a.startsWith('sqs:')))
    .flatMap((st) =>
      actionsOf(st).flatMap((a) =>
        resourcesIn(st).map((r) => {
          const id = (r as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
          assert.ok(id !== undefined && queues.has(id), `${name}: ${a} on ${JSON.stringify(r)}, not a queue of the stack`);
          return `${a} ${queues.get(id) ?? ''}`;
        }),
      ),
    )
    .sort();
}

const BULK_FUNCTIONS = ['bulk-job-create', BULK_WORKER, 'bulk-job-control'] as const;

describe('the bulk path', () => {
  it('schema.json routes the bulk API to bulk-job-create and bulk-job-control, and nothing to the worker', () => {
    const routes = SCHEMA.routes.filter((r) => r.path.startsWith('/api/bulk-jobs')).map((r) => `${r.method} ${r.path} ${r.function} ${String(r.authorized)}`);
    assert.deepEqual(routes.sort(), [
      'GET /api/bulk-jobs bulk-job-control true',
      'GET /api/bulk-jobs/{jobId} bulk-job-control true',
      'GET /api/bulk-jobs/{jobId}/recipients bulk-job-control true',
      'GET /api/bulk-jobs/{jobId}/report bulk-job-control true',
      'POST /api/bulk-jobs bulk-job-create true',
      'POST /api/bulk-jobs/preview bulk-job-create true',
      'POST /api/bulk-jobs/uploads bulk-job-create true',
      'POST /api/bulk-jobs/{jobId}/cancel bulk-job-control true',
      'POST /api/bulk-jobs/{jobId}/pause bulk-job-control true',
      'POST /api/bulk-jobs/{jobId}/resume bulk-job-control true',
    ]);
    assert.ok(!SCHEMA.routes.some((r) => r.function === BULK_WORKER), 'no route serves the worker');
    for (const name of BULK_FUNCTIONS) assert.ok(SCHEMA.functions.includes(name), name);
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: bulk-worker consumes bulk-queue, ${BULK_BATCH_SIZE} messages at a time, reporting failed items, at most bulk.workerConcurrency at once`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      assert.equal(config.bulk.workerConcurrency, 4, 'the checked-in concurrency');
      const mappings = resourcesOf(t, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties['EventSourceArn']).includes(`"${queueId(t, env, 'bulk-queue')}"`));
      assert.equal(mappings.length, 1, 'one event source on bulk-queue (ai-queue\'s: see "the AI assistant")');
      assert.deepEqual(mappings[0]?.[1].Properties, {
        EventSourceArn: { 'Fn::GetAtt': [queueId(t, env, 'bulk-queue'), 'Arn'] },
        FunctionName: { Ref: functionId(t, env, BULK_WORKER) },
        BatchSize: BULK_BATCH_SIZE,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: config.bulk.workerConcurrency },
      });
    });

    it(`${env}: the worker has ${BULK_WORKER_TIMEOUT.toHumanString()}, every function a route serves stays within API Gateway's ${API_INTEGRATION_TIMEOUT.toHumanString()}`, () => {
      const t = tpl(env);
      assert.equal(functionProps(t, env, BULK_WORKER)['Timeout'], 120);
      assert.equal(API_INTEGRATION_TIMEOUT.toSeconds(), 29);
      for (const fn of new Set(SCHEMA.routes.map((r) => r.function))) {
        assert.ok((functionProps(t, env, fn)['Timeout'] as number) <= 29, `${fn} answers a route`);
      }
      // bulk-queue: visibility 6 × 120 s, redrive to bulk-dlq after 5 receives.
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `${prefix(env)}bulk-queue`,
        VisibilityTimeout: VISIBILITY_TO_TIMEOUT_RATIO * 120,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId(t, env, 'bulk-dlq'), 'Arn'] }, maxReceiveCount: 5 },
      });
    });

    it(`${env}: the bulk functions send to bulk-queue, the worker also polls it, the DLQ replay puts work back from bulk-dlq; nobody else touches it`, () => {
      const t = tpl(env);
      const send = 'sqs:SendMessage bulk-queue';
      const poll = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].map((a) => `${a} bulk-queue`);
      const expected: Record<string, string[]> = {
        'bulk-job-create': [send],
        'bulk-job-control': [send],
        [BULK_WORKER]: [...poll, send].sort(),
        [DLQ_REPLAY]: [send, ...DRAIN_ACTIONS.map((a) => `${a} bulk-dlq`)].sort(),
        [OVERVIEW]: ['sqs:GetQueueAttributes bulk-dlq'],
      };
      for (const name of SCHEMA.functions) {
        const onBulk = sqsGrantsOf(t, env, name).filter((g) => / bulk-(queue|dlq)$/.test(g));
        assert.deepEqual(onBulk, expected[name] ?? [], `${name} on bulk-queue and bulk-dlq`);
        if ((BULK_FUNCTIONS as readonly string[]).includes(name)) assert.deepEqual(sqsGrantsOf(t, env, name), onBulk, `${name} on no other queue`);
      }
    });

    it(`${env}: the bulk functions are told the reports bucket (REPORTS_BUCKET) and the messaging config; no other function the reports bucket`, () => {
      const t = tpl(env);
      const config = testConfig(env);
      for (const name of SCHEMA.functions) {
        const vars = envOf(t, env, name);
        if ((BULK_FUNCTIONS as readonly string[]).includes(name)) {
          assert.equal(vars['REPORTS_BUCKET'], config.existing.reportsBucketName, `${name} REPORTS_BUCKET`);
          assert.equal(vars['SENDERS'], sendersVariable(config.senders), `${name} SENDERS`);
          assert.equal(vars['WHATSAPP_TIER_LIMIT'], String(config.whatsAppTierLimit), `${name} WHATSAPP_TIER_LIMIT`);
          assert.deepEqual(vars['BULK_QUEUE_URL'], { Ref: queueId(t, env, 'bulk-queue') });
          assert.deepEqual(vars['BULK_JOBS_TABLE'], { Ref: tableId(t, env, 'BulkJobs') });
          assert.deepEqual(vars['BULK_RECIPIENTS_TABLE'], { Ref: tableId(t, env, 'BulkRecipients') });
        } else {
          assert.equal(vars['REPORTS_BUCKET'], undefined, `${name} is not told the reports bucket`);
        }
      }
      // The Rust side reads it (the scan of "every function gets every variable its Rust code reads" covers the rest).
      for (const name of BULK_FUNCTIONS) assert.ok(variablesReadByFunction(name).has('REPORTS_BUCKET'), `${name} reads REPORTS_BUCKET`);
    });

    it(`${env}: the reports bucket: each bulk function gets only its object actions under its own prefixes`, () => {
      const t = tpl(env);
      const bucket = testConfig(env).existing.reportsBucketName;
      const objects = (p: string): string => `arn:aws:s3:::${bucket}/${p}*`;
      assert.deepEqual([IMPORTS_PREFIX, MANIFESTS_PREFIX, PREVIEWS_PREFIX, REPORTS_PREFIX, REPORT_PARTS_PREFIX], ['imports/', 'manifests/', 'previews/', 'reports/', 'report-parts/']);
      // The CSV is uploaded to a presigned PUT under imports/ and read back; a preview's plan is
      // kept under previews/ and copied by the create confirming it; the manifest is written under
      // manifests/, read by the worker (which writes it back once with the contacts
      // its CSV created) and by control (a job's pending recipients are its manifest less its
      // ledger); the worker writes the report under reports/, joined from the parts it writes and
      // reads back under report-parts/; control signs its download.
      const expected: Record<string, string[]> = {
        'bulk-job-create': [
          `s3:GetObject ${objects(IMPORTS_PREFIX)}`,
          `s3:PutObject ${objects(IMPORTS_PREFIX)}`,
          `s3:PutObject ${objects(MANIFESTS_PREFIX)}`,
          `s3:GetObject ${objects(PREVIEWS_PREFIX)}`,
          `s3:PutObject ${objects(PREVIEWS_PREFIX)}`,
        ],
        [BULK_WORKER]: [
          `s3:GetObject ${objects(MANIFESTS_PREFIX)}`,
          `s3:PutObject ${objects(MANIFESTS_PREFIX)}`,
          `s3:PutObject ${objects(REPORTS_PREFIX)}`,
          `s3:GetObject ${objects(REPORT_PARTS_PREFIX)}`,
          `s3:PutObject ${objects(REPORT_PARTS_PREFIX)}`,
        ],
        'bulk-job-control': [`s3:GetObject ${objects(MANIFESTS_PREFIX)}`, `s3:GetObject ${objects(REPORTS_PREFIX)}`],
      };
      for (const name of SCHEMA.functions) {
        const granted = s3StatementsOf(t, env, name)
          .flatMap((st) => actionsOf(st).flatMap((a) => resourcesIn(st).map((r) => `${a} ${String(r)}`)))
          .filter((g) => g.includes(`:::${bucket}/`))
          .sort();
        assert.deepEqual(granted, (expected[name] ?? []).sort(), `${name} on the reports bucket`);
      }
      // Nor do the bulk functions get anything on the media bucket but the worker's reads of
      // uploads (a template's media header, see "the media bucket"): a job uploads no file.
      const media = testConfig(env).existing.mediaBucketName;
      for (const name of BULK_FUNCTIONS) {
        const granted = s3StatementsOf(t, env, name)
          .flatMap((st) => actionsOf(st).flatMap((a) => resourcesIn(st).map((r) => `${a} ${String(r)}`)))
          .filter((g) => g.includes(`:::${media}/`));
        assert.deepEqual(granted, name === BULK_WORKER ? [`s3:GetObject arn:aws:s3:::${media}/${OUTGOING_MEDIA_PREFIX}*`] : [], `${name} on the media bucket`);
      }
    });

    it(`${env}: the bulk functions get exactly their tables`, () => {
      const t = tpl(env);
      const read = ['dynamodb:GetItem', 'dynamodb:Query'];
      const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      const expected: Record<string, Record<string, 'read' | 'write' | 'readWrite'>> = {
        'bulk-job-create': { Contacts: 'readWrite', AuditLogs: 'write', BulkJobs: 'readWrite', RateLimitTrackers: 'readWrite', SystemConfig: 'readWrite' },
        // SystemConfig: the template catalogue its WhatsApp template sends are checked against
        // (see "the WhatsApp template catalogue").
        [BULK_WORKER]: {
          Contacts: 'read',
          Messages: 'readWrite',
          RateLimitTrackers: 'readWrite',
          AuditLogs: 'write',
          BulkJobs: 'readWrite',
          BulkRecipients: 'readWrite',
          SystemConfig: 'readWrite',
        },
        'bulk-job-control': { BulkJobs: 'readWrite', BulkRecipients: 'read', AuditLogs: 'write' },
      };
      for (const name of BULK_FUNCTIONS) {
        const role = roleOf(t, env, name);
        for (const def of SCHEMA.tables) {
          const actions = tableActions(t, role, tableId(t, env, def.name));
          const access = expected[name]?.[def.name];
          if (access === undefined) assert.equal(actions.size, 0, `${name} has nothing on ${def.name}`);
          if (access === 'read' || access === 'readWrite') for (const a of read) assert.ok(actions.has(a), `${name} may ${a} on ${def.name}`);
          if (access === 'write' || access === 'readWrite') for (const a of write) assert.ok(actions.has(a), `${name} may ${a} on ${def.name}`);
          if (access === 'read') for (const a of write) assert.ok(!actions.has(a), `${name} only reads ${def.name}`);
          if (access === 'write') for (const a of read) assert.ok(!actions.has(a), `${name} only writes ${def.name}`);
        }
      }
    });

    it(`${env}: alarms on bulk-dlq's depth and on a finished job's failure rate above ${BULK_FAILURE_RATE_ALARM_PERCENT} % on any channel`, () => {
      const t = tpl(env);
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', (p) => p['TopicName'] === `${prefix(env)}alerts`, 'alerts topic');
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${prefix(env)}bulk-dlq-depth`,
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(t, env, 'bulk-dlq'), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
      assert.equal(BULK_FAILURE_RATE_ALARM_PERCENT, 10);
      for (const channel of CHANNELS) {
        t.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `${prefix(env)}bulk-job-failure-rate-${channel}`,
          Namespace: METRICS_NAMESPACE,
          MetricName: BULK_JOB_FAILURE_RATE,
          Dimensions: [
            { Name: 'Channel', Value: channel },
            { Name: 'Environment', Value: env },
          ],
          Statistic: 'Maximum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
          // A job that finished nowhere in the period is no failure.
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topicId }],
          OKActions: [{ Ref: topicId }],
        });
      }
    });

    it(`${env}: the dashboard graphs the bulk job metrics of every channel`, () => {
      const [[, dashboard]] = resourcesOf(tpl(env), 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
      const body = JSON.stringify(dashboard.Properties['DashboardBody']).replace(/\\"/g, '"');
      for (const channel of CHANNELS) {
        for (const metric of [BULK_JOB_FAILURE_RATE, BULK_JOB_DURATION_SECONDS, BULK_JOB_THROUGHPUT]) {
          assert.ok(body.includes(`["${METRICS_NAMESPACE}","${metric}","Channel","${channel}","Environment","${env}"`), `${metric} of ${channel}`);
        }
        for (const outcome of BULK_OUTCOMES) {
          assert.ok(
            body.includes(`["${METRICS_NAMESPACE}","${BULK_RECIPIENTS}","Channel","${channel}","Environment","${env}","Outcome","${outcome}"`),
            `${BULK_RECIPIENTS} ${outcome} of ${channel}`,
          );
        }
      }
      assert.deepEqual([...BULK_OUTCOMES], ['sent', 'failed', 'unknown', 'skipped', 'cancelled']);
    });
  }

  it('bulk.workerConcurrency is the event source\'s MaximumConcurrency', () => {
    for (const workerConcurrency of [2, 5]) {
      const config: EnvironmentConfig = { ...testConfig('preview'), bulk: { workerConcurrency } };
      const t = templateOf(buildTestApp({ environments: ['preview'], configs: { preview: config } }).stacks, 'preview');
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: workerConcurrency } });
    }
  });

  it('bulk-queue\'s visibility follows its consumer\'s timeout, whatever it is', () => {
    assert.equal(visibilityTimeoutFor(BULK_WORKER_TIMEOUT).toSeconds(), VISIBILITY_TO_TIMEOUT_RATIO * BULK_WORKER_TIMEOUT.toSeconds());
    for (const minutes of [1, 5, 15]) {
      const stack = new Stack(new App(), 'Probe', { env: { account: '809904170947', region: 'us-east-1' } });
      new Messaging(stack, 'Messaging', {
        resourcePrefix: 'probe-',
        production: false,
        inboundTopicArn: 'arn:aws:sns:us-east-1:809904170947:t',
        bulkConsumerTimeout: Duration.minutes(minutes),
        aiConsumerTimeout: Duration.seconds(29),
      });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { QueueName: 'probe-bulk-queue', VisibilityTimeout: VISIBILITY_TO_TIMEOUT_RATIO * minutes * 60 });
    }
    // 6 × 2 h would exceed SQS's 12 h ceiling: refused, rather than silently capped.
    assert.throws(() => visibilityTimeoutFor(Duration.hours(2.5)), /beyond SQS's 12 hours/);
  });

  it('a route to a function whose timeout outlasts API Gateway stops synthesis', () => {
    const routedWorker: Schema = { ...SCHEMA, routes: [...SCHEMA.routes, { method: 'POST', path: '/api/bulk-worker', function: BULK_WORKER, authorized: true }] };
    assert.throws(() => buildTestApp({ environments: ['preview'], schema: routedWorker }), /POST \/api\/bulk-worker is served by bulk-worker, whose timeout \(2 minutes\) outlasts API Gateway's 29 seconds/);
  });
});

describe('the DLQ replay', () => {
  it('schema.json routes the listing and the replay of a dead-letter queue to dlq-replay, behind the authorizer', () => {
    const routes = SCHEMA.routes.filter((r) => r.path.startsWith('/api/dlq')).map((r) => `${r.method} ${r.path} ${r.function} ${String(r.authorized)}`);
    assert.deepEqual(routes.sort(), ['GET /api/dlq/{queue} dlq-replay true', 'POST /api/dlq/{queue}/replay dlq-replay true']);
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: it receives from, releases in and deletes from the three dead-letter queues, and sends only where a replay goes`, () => {
      const t = tpl(env);
      const dlqs = ['inbound-dlq', 'bulk-dlq', 'outbound-dlq'];
      const drains = dlqs.flatMap((q) => DRAIN_ACTIONS.map((a) => `${a} ${q}`));
      // bulk work goes back to bulk-queue; a replayed event may be dead-lettered again as the
      // inbound handler does it, or ask ai-queue for a draft as the handler does.
      const sends = ['bulk-queue', 'inbound-dlq', 'outbound-dlq', 'ai-queue'].map((q) => `sqs:SendMessage ${q}`);
      assert.deepEqual(sqsGrantsOf(t, env, DLQ_REPLAY), [...drains, ...sends].sort());
      assert.deepEqual(WIRING[DLQ_REPLAY]?.drains, dlqs);
      for (const name of SCHEMA.functions.filter((f) => f !== DLQ_REPLAY)) {
        const reads = sqsGrantsOf(t, env, name).filter((g) => /^sqs:(ReceiveMessage|ChangeMessageVisibility|DeleteMessage) [a-z]+-dlq$/.test(g));
        assert.deepEqual(reads, [], `${name} reads no dead-letter queue`);
      }
    });

    it(`${env}: it is told every queue and DLQMessages, may write its records, and may touch what a replayed inbound event touches`, () => {
      const t = tpl(env);
      const vars = envOf(t, env, DLQ_REPLAY);
      for (const [variable, queue] of [
        ['INBOUND_DLQ_URL', 'inbound-dlq'],
        ['BULK_DLQ_URL', 'bulk-dlq'],
        ['OUTBOUND_DLQ_URL', 'outbound-dlq'],
        ['BULK_QUEUE_URL', 'bulk-queue'],
      ] as const) {
        assert.deepEqual(vars[variable], { Ref: queueId(t, env, queue) }, variable);
      }
      assert.deepEqual(vars['DLQ_MESSAGES_TABLE'], { Ref: tableId(t, env, 'DLQMessages') });
      assert.deepEqual(variablesReadBy('functions/dlq-replay/src/lib.rs').sort(), ['BULK_DLQ_URL', 'BULK_QUEUE_URL', 'DLQ_MESSAGES_TABLE']);
      // Records are created once, attempts claimed and successes recorded with conditional writes.
      const records = tableActions(t, roleOf(t, env, DLQ_REPLAY), tableId(t, env, 'DLQMessages'));
      for (const a of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem']) assert.ok(records.has(a), a);
      // A replayed event is stored by the inbound handler's code: the handler's tables, as granted to it.
      for (const [table, access] of Object.entries(WIRING[INBOUND_HANDLER]?.tables ?? {})) {
        assert.equal(WIRING[DLQ_REPLAY]?.tables[table], access, table);
      }
      assert.equal(functionProps(t, env, DLQ_REPLAY)['Timeout'], FUNCTION_TIMEOUT.toSeconds());
    });
  }
});

/** The function that serves the console's overview. */
const OVERVIEW = 'messages-read';

describe('the overview', () => {
  it('schema.json routes GET /api/overview to messages-read, behind the authorizer', () => {
    const routes = SCHEMA.routes.filter((r) => r.path === '/api/overview').map((r) => `${r.method} ${r.function} ${String(r.authorized)}`);
    assert.deepEqual(routes, [`GET ${OVERVIEW} true`]);
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: it reads the dead-letter queues' depth and nothing else of them, and reads jobs and the tier without writing`, () => {
      const t = tpl(env);
      assert.deepEqual(
        sqsGrantsOf(t, env, OVERVIEW),
        ['inbound-dlq', 'bulk-dlq', 'outbound-dlq'].map((q) => `sqs:GetQueueAttributes ${q}`).sort(),
      );
      const vars = envOf(t, env, OVERVIEW);
      for (const [variable, queue] of [
        ['INBOUND_DLQ_URL', 'inbound-dlq'],
        ['BULK_DLQ_URL', 'bulk-dlq'],
        ['OUTBOUND_DLQ_URL', 'outbound-dlq'],
      ] as const) {
        assert.deepEqual(vars[variable], { Ref: queueId(t, env, queue) }, variable);
      }
      const role = roleOf(t, env, OVERVIEW);
      for (const table of ['BulkJobs', 'RateLimitTrackers']) {
        const actions = tableActions(t, role, tableId(t, env, table));
        assert.ok(actions.has('dynamodb:Query') && actions.has('dynamodb:GetItem'), `${table} read`);
        for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
          assert.ok(!actions.has(write), `${table}: no ${write}`);
        }
      }
    });
  }
});

describe('the HTTP API serves every route of schema.json', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: every route exists, is integrated with its function, and is authorized unless public`, () => {
      const t = tpl(env);
      t.resourceCountIs('AWS::ApiGatewayV2::Route', SCHEMA.routes.length);
      const authorizerId = logicalIdOf(t, 'AWS::ApiGatewayV2::Authorizer', () => true, 'authorizer');
      const integrations = resourcesOf(t, 'AWS::ApiGatewayV2::Integration');
      for (const route of SCHEMA.routes) {
        const routeKey = `${route.method} ${route.path}`;
        const matches = resourcesOf(t, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties['RouteKey'] === routeKey);
        assert.equal(matches.length, 1, `route ${routeKey}`);
        const props = (matches[0] as [string, Resource])[1].Properties;
        if (route.authorized) {
          assert.equal(props['AuthorizationType'], 'CUSTOM', `${routeKey} authorization`);
          assert.deepEqual(props['AuthorizerId'], { Ref: authorizerId }, `${routeKey} authorizer`);
        } else {
          assert.equal(props['AuthorizationType'], 'NONE', `${routeKey} is public`);
          assert.equal(props['AuthorizerId'], undefined);
        }
        const target = JSON.stringify(props['Target']);
        const integration = integrations.find(([id]) => target.includes(`"${id}"`));
        assert.ok(integration, `${routeKey} has an integration`);
        assert.match(JSON.stringify(integration[1].Properties['IntegrationUri']), new RegExp(`"${functionId(t, env, route.function)}"`), `${routeKey} → ${route.function}`);
        assert.equal(integration[1].Properties['PayloadFormatVersion'], '2.0');
      }
    });
  }

  it('the upload, mark-read and senders routes are there, authorized, on their functions', () => {
    const t = tpl('production');
    for (const [routeKey, fn] of [
      ['POST /api/media/uploads', 'outbound-whatsapp'],
      ['POST /api/conversations/{contactId}/read', 'messages-read'],
      // The caller's tenant's senders, from SENDERS (messages-read builds the messaging config).
      ['GET /api/senders', 'messages-read'],
    ] as const) {
      assert.ok(SCHEMA.routes.some((r) => `${r.method} ${r.path}` === routeKey && r.function === fn && r.authorized), `${routeKey} in schema.json`);
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'CUSTOM', AuthorizerId: Match.anyValue() });
    }
  });

  it('only GET /api/health is public', () => {
    const publicRoutes = resourcesOf(tpl('production'), 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => r.Properties['AuthorizationType'] !== 'CUSTOM')
      .map(([, r]) => r.Properties['RouteKey']);
    assert.deepEqual(publicRoutes, ['GET /api/health']);
  });

  it('the authorizer is auth-middleware: REQUEST, payload 2.0, simple responses, cached briefly by Authorization', () => {
    const t = tpl('production');
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL.toSeconds(),
      AuthorizerUri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionId(t, 'production', AUTHORIZER_FUNCTION), 'Arn'] }])] },
    });
    assert.ok(AUTHORIZER_CACHE_TTL.toSeconds() > 0 && AUTHORIZER_CACHE_TTL.toSeconds() <= 300);
    t.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [functionId(t, 'production', AUTHORIZER_FUNCTION), 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('the console client allows USER_PASSWORD_AUTH and refresh, reads email and tenant, writes nothing, no OAuth', () => {
    tpl('production').hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: testConfig('production').existing.cognitoUserPoolId,
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      ReadAttributes: ['custom:tenant_id', 'email'],
      WriteAttributes: [],
      AllowedOAuthFlows: Match.absent(),
      CallbackURLs: Match.absent(),
    });
  });

  it('the stage writes access logs to the common log group', () => {
    const t = tpl('production');
    const logGroupId = logicalIdOf(t, 'AWS::Logs::LogGroup', () => true, 'common log group');
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] }, Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
  });
});

describe('console and API share one CloudFront distribution', () => {
  for (const env of ENVIRONMENTS) {
    it(`${env}: /api/* goes uncached to the API, the rest to the private bucket with the SPA fallback`, () => {
      const t = tpl(env);
      const apiId = logicalIdOf(t, 'AWS::ApiGatewayV2::Api', () => true, 'HTTP API');
      const bucketId = logicalIdOf(t, 'AWS::S3::Bucket', (p) => p['VersioningConfiguration'] !== undefined, 'console bucket');
      const fallbackId = logicalIdOf(t, 'AWS::CloudFront::Function', () => true, 'SPA fallback');
      const [[, distribution]] = resourcesOf(t, 'AWS::CloudFront::Distribution') as [[string, Resource]];
      const config = distribution.Properties['DistributionConfig'] as {
        Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown }[];
        CacheBehaviors: { PathPattern: string; TargetOriginId: string; CachePolicyId: string; OriginRequestPolicyId: string; AllowedMethods: string[] }[];
        DefaultCacheBehavior: { TargetOriginId: string; FunctionAssociations: { EventType: string; FunctionARN: unknown }[] };
        DefaultRootObject: string;
        CustomErrorResponses?: unknown;
      };
      const api = config.CacheBehaviors.find((b) => b.PathPattern === '/api/*');
      assert.ok(api, '/api/* behaviour');
      assert.equal(config.CacheBehaviors.length, 1);
      const apiOrigin = config.Origins.find((o) => o.Id === api.TargetOriginId);
      assert.match(JSON.stringify(apiOrigin?.DomainName), new RegExp(`"${apiId}".*execute-api`));
      assert.equal(api.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled');
      assert.equal(api.OriginRequestPolicyId, 'b689b0a8-53d0-40ab-baf2-68738e2966ac', 'AllViewerExceptHostHeader');
      assert.ok(['POST', 'PATCH', 'DELETE'].every((m) => api.AllowedMethods.includes(m)));

      const s3Origin = config.Origins.find((o) => o.Id === config.DefaultCacheBehavior.TargetOriginId);
      assert.match(JSON.stringify(s3Origin?.DomainName), new RegExp(`"${bucketId}"`));
      assert.ok(s3Origin?.OriginAccessControlId, 'origin access control');
      assert.deepEqual(config.DefaultCacheBehavior.FunctionAssociations, [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fallbackId, 'FunctionARN'] } }]);
      assert.equal(config.DefaultRootObject, 'index.html');
      // A distribution-wide error page would turn the API's 403/404 into index.html.
      assert.equal(config.CustomErrorResponses, undefined);

      for (const [, bucket] of resourcesOf(t, 'AWS::S3::Bucket')) {
        assert.deepEqual(bucket.Properties['PublicAccessBlockConfiguration'], {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
      }
    });

    it(`${env}: a WAF web ACL exactly when the config asks for one`, () => {
      const t = tpl(env);
      const wanted = testConfig(env).webApplicationFirewall;
      t.resourceCountIs('AWS::WAFv2::WebACL', wanted ? 1 : 0);
      if (wanted) {
        const aclId = logicalIdOf(t, 'AWS::WAFv2::WebACL', (p) => p['Scope'] === 'CLOUDFRONT', 'web ACL');
        t.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] } }) });
      }
    });
  }
});

describe('monitoring', () => {
  it('the metrics the dashboards and alarms select are emitted with exactly their dimensions, the environment first', () => {
    // wecare_http::metrics puts the environment's dimension before a metric's own.
    const metrics = rustSource('crates/http/src/metrics.rs');
    assert.match(metrics, new RegExp(`pub const ENVIRONMENT_DIMENSION: &str = "${ENVIRONMENT_DIMENSION}";`));
    assert.match(metrics, /pub fn emit\([\s\S]*?\) \{\s*let dimensions = with_environment\(/, 'emit adds the environment');
    assert.match(metrics, /pub fn count\([\s\S]*?\) \{\s*emit\(/, 'count goes through emit');
    const own = (dimensions: readonly string[]): string[] => {
      assert.equal(dimensions[0], ENVIRONMENT_DIMENSION);
      return dimensions.slice(1);
    };
    // Delivery: counted where a send settles (and where a delivery status says it failed).
    const pipeline = rustSource('crates/messaging/src/pipeline.rs');
    assert.match(pipeline, /metrics::count\(metric, &\[\("Channel", channel\)\]\)/);
    assert.deepEqual(own(DELIVERY_DIMENSIONS), ['Channel']);
    // Bulk jobs: the per-job figures, then one BulkRecipients per outcome.
    const worker = rustSource('crates/bulk/src/worker.rs');
    const emits = [...worker.matchAll(/emit\(\s*&\[([\s\S]*?)\],\s*&\[([^\]]*)\],?\s*\)/g)].map((m) => ({
      metrics: [...(m[1] as string).matchAll(/\("(\w+)"/g)].map((n) => n[1]),
      dimensions: [...(m[2] as string).matchAll(/\("(\w+)"/g)].map((n) => n[1]),
    }));
    assert.deepEqual(emits, [
      { metrics: [BULK_JOB_DURATION_SECONDS, BULK_JOB_THROUGHPUT, BULK_JOB_FAILURE_RATE], dimensions: own(BULK_JOB_DIMENSIONS) },
      { metrics: [BULK_RECIPIENTS], dimensions: own(BULK_RECIPIENT_DIMENSIONS) },
    ]);
    // And every function names its environment when it starts, or its metrics would match nothing.
    for (const name of SCHEMA.functions) {
      assert.match(rustSource(`functions/${name}/src/main.rs`), /wecare_http::observability::init\(\)\?;/, name);
    }
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: the common log group keeps at least 30 days`, () => {
      const config = testConfig(env);
      const t = tpl(env);
      t.resourceCountIs('AWS::Logs::LogGroup', 1);
      t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: config.logGroupName, RetentionInDays: config.logRetentionDays });
      assert.ok(config.logRetentionDays >= 30);
    });

    it(`${env}: errors and throttles of every function, every DLQ's depth and API 5xx alarm to the alerts topic`, () => {
      const t = tpl(env);
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', (p) => p['TopicName'] === `${prefix(env)}alerts`, 'alerts topic');
      const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const alarm = (name: string): Record<string, unknown> => {
        const found = alarms.find((a) => a['AlarmName'] === `${prefix(env)}${name}`);
        assert.ok(found, `alarm ${name}`);
        assert.deepEqual(found['AlarmActions'], [{ Ref: topicId }], `${name} notifies the alerts topic`);
        assert.equal(found['ComparisonOperator'], 'GreaterThanOrEqualToThreshold');
        assert.equal(found['Threshold'], 1);
        return found;
      };
      for (const name of SCHEMA.functions) {
        const errors = alarm(`${name}-errors`);
        assert.equal(errors['MetricName'], 'Errors');
        assert.deepEqual(errors['Dimensions'], [{ Name: 'FunctionName', Value: { Ref: functionId(t, env, name) } }]);
        assert.equal(alarm(`${name}-throttles`)['MetricName'], 'Throttles');
      }
      for (const dlq of ['inbound-dlq', 'bulk-dlq', 'outbound-dlq']) {
        const depth = alarm(`${dlq}-depth`);
        assert.equal(depth['MetricName'], 'ApproximateNumberOfMessagesVisible');
        assert.match(JSON.stringify(depth['Dimensions']), new RegExp(`"${queueId(t, env, dlq)}"`));
      }
      assert.equal(alarm('api-5xx')['MetricName'], '5xx');
      const failureRates = alarms.filter((a) => String(a['AlarmName']).startsWith(`${prefix(env)}bulk-job-failure-rate-`));
      assert.equal(failureRates.length, CHANNELS.length, 'one bulk failure-rate alarm per channel (see "the bulk path")');
      assert.equal(alarms.length, SCHEMA.functions.length * 2 + 3 + 1 + CHANNELS.length + 3, 'no other alarms than these and the AI assistant\'s three (see "the AI assistant")');
    });

    it(`${env}: the alerts topic is encrypted and TLS-only, with a key CloudWatch may use`, () => {
      const t = tpl(env);
      t.hasResourceProperties('AWS::SNS::Topic', { TopicName: `${prefix(env)}alerts`, KmsMasterKeyId: Match.anyValue() });
      t.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
      });
      t.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    });

    it(`${env}: the dashboard graphs the WhatsApp template messages of every category exactly when sends are live`, () => {
      // The metric as crates/messaging/src/pipeline.rs emits it, behind the Environment dimension
      // wecare_http::metrics puts first on every metric, and the categories as the Rust
      // `Category::as_str` spells them.
      const emitted = /metrics::count\(\s*"(\w+)",\s*&\[\("(\w+)", category\.as_str\(\)\)\]\)/.exec(rustSource('crates/messaging/src/pipeline.rs'));
      assert.ok(emitted, 'pipeline.rs counts template messages per category (is the scan still right?)');
      const first = /pub const ENVIRONMENT_DIMENSION: &str = "(\w+)";/.exec(rustSource('crates/http/src/metrics.rs'));
      assert.ok(first, 'crates/http/src/metrics.rs names the environment dimension (is the scan still right?)');
      assert.deepEqual([emitted[1], [first[1], emitted[2]]], [TEMPLATE_MESSAGES, [...TEMPLATE_MESSAGE_DIMENSIONS]]);
      const categories = [...rustSource('crates/core/src/template.rs').matchAll(/Category::\w+ => "([A-Z_]+)"/g)].map((m) => m[1]);
      assert.deepEqual(categories, [...TEMPLATE_CATEGORIES]);
      const [[, dashboard]] = resourcesOf(tpl(env), 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
      const body = JSON.stringify(dashboard.Properties['DashboardBody']).replace(/\\"/g, '"');
      // Only a LIVE send is counted: a DRY_RUN environment's graph would stay empty.
      const live = testConfig(env).sendMode === 'LIVE';
      assert.equal(live, env === 'production');
      for (const category of TEMPLATE_CATEGORIES) {
        assert.equal(body.includes(`["${METRICS_NAMESPACE}","${TEMPLATE_MESSAGES}","Category","${category}","Environment","${env}",`), live, `${category} in ${env}`);
      }
      if (!live) assert.ok(!body.includes(TEMPLATE_MESSAGES), env);
    });

    it(`${env}: the dashboard graphs delivery success and failure of every channel`, () => {
      const t = tpl(env);
      const [[, dashboard]] = resourcesOf(t, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
      assert.equal(dashboard.Properties['DashboardName'], `${prefix(env)}operations`);
      const body = JSON.stringify(dashboard.Properties['DashboardBody']).replace(/\\"/g, '"');
      for (const channel of CHANNELS) {
        for (const metric of [DELIVERY_SUCCEEDED, DELIVERY_FAILED]) {
          assert.ok(
            body.includes(`["${METRICS_NAMESPACE}","${metric}","Channel","${channel}","Environment","${env}"`),
            `${metric} of ${channel} in ${env}`,
          );
        }
      }
    });
  }
});

describe('the team and its audit trail', () => {
  it('only users administers the team\'s user pool: its Cognito admin actions on that pool and nothing else, told the pool and that Cognito emails invites', () => {
    const t = tpl('production');
    const pool = testConfig('production').existing.cognitoUserPoolId;
    for (const name of SCHEMA.functions) {
      const cognito = statementsOf(t, roleOf(t, 'production', name)).filter((st) => actionsOf(st).some((a) => a.startsWith('cognito-idp:')));
      const vars = envOf(t, 'production', name);
      if (name !== 'users') {
        assert.deepEqual(cognito, [], `${name} may do nothing in Cognito`);
        assert.equal(vars['USER_POOL_ID'], undefined, `${name} is not told the pool`);
        continue;
      }
      assert.equal(cognito.length, 1);
      const [grant] = cognito;
      assert.deepEqual(new Set(actionsOf(grant as Statement)), new Set((WIRING['users']?.userPool ?? []).map((a) => `cognito-idp:${a}`)));
      assert.ok(actionsOf(grant as Statement).every((a) => a.startsWith('cognito-idp:Admin')), 'admin actions only');
      const resource = JSON.stringify(resourcesIn(grant as Statement));
      assert.ok(resource.includes(`:cognito-idp:us-east-1:`) && resource.includes(`:userpool/${pool}`), resource);
      assert.ok(!resource.includes('*'), resource);
      assert.equal(vars['USER_POOL_ID'], pool);
      assert.equal(vars['INVITE_DELIVERY'], 'EMAIL');
    }
  });

  it('users reads and writes the team and reads the audit trail with its indexes; the authorizer only writes the trail', () => {
    const t = tpl('production');
    const audit = tableId(t, 'production', 'AuditLogs');
    const users = tableId(t, 'production', 'Users');
    const team = roleOf(t, 'production', 'users');
    for (const a of ['dynamodb:Query', 'dynamodb:PutItem']) assert.ok(tableActions(t, team, audit).has(a), `users may ${a} on AuditLogs`);
    for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem']) {
      assert.ok(tableActions(t, team, users).has(a), `users may ${a} on Users`);
    }
    const authorizer = roleOf(t, 'production', AUTHORIZER_FUNCTION);
    assert.ok(tableActions(t, authorizer, audit).has('dynamodb:PutItem'));
    assert.ok(!tableActions(t, authorizer, audit).has('dynamodb:Query'), 'the authorizer does not read the trail');
    const auditTable = resourcesOf(t, 'AWS::DynamoDB::Table').find(([id]) => id === audit)?.[1];
    const indexes = (auditTable?.Properties['GlobalSecondaryIndexes'] as { IndexName: string }[]).map((i) => i.IndexName);
    assert.deepEqual(indexes, ['gsi1', 'gsi2'], 'by resource and by actor');
    assert.deepEqual(auditTable?.Properties['TimeToLiveSpecification'], { AttributeName: 'expiresAt', Enabled: true });
  });
});

/** What a function may do with Bedrock, as sorted `<action> <resource>` lines (the resource as JSON). */
function bedrockGrantsOf(t: Template, env: EnvironmentName, name: string): string[] {
  return statementsOf(t, roleOf(t, env, name))
    .flatMap((st) => {
      assert.equal(st.Effect, 'Allow');
      assert.equal(st.Condition, undefined);
      return actionsOf(st)
        .filter((a) => a.startsWith('bedrock:'))
        .flatMap((a) => resourcesIn(st).map((r) => `${a} ${JSON.stringify(r)}`));
    })
    .sort();
}

/** The body of the Rust function `name` in `relativePath` (up to the next `fn`). */
function rustFnBody(relativePath: string, name: string): string {
  const source = rustSource(relativePath);
  const start = source.search(new RegExp(`\\bfn ${name}\\b`));
  assert.ok(start >= 0, `${relativePath} defines fn ${name} (is the scan still right?)`);
  const next = source.slice(start + 3).search(/\bfn \w+/);
  return next < 0 ? source.slice(start) : source.slice(start, start + 3 + next);
}

const AI_FUNCTIONS = [AI_QUERY_FUNCTION, AI_DRAFTS_FUNCTION] as const;
const AI_VARIABLES = ['AI_KNOWLEDGE_BASE_ID', 'AI_AGENT_ID', 'AI_AGENT_ALIAS_ID', 'AI_MODEL_ARN', 'AI_TIMEOUT_MS'] as const;

describe('the AI assistant', () => {
  const joined = (resource: string): unknown => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:bedrock:us-east-1:809904170947:${resource}`]] });

  it('schema.json routes the question to ai-query-kb and the suggestions to ai-generate-response, all behind the authorizer', () => {
    const routes = SCHEMA.routes.filter((r) => r.path.startsWith('/api/ai/')).map((r) => `${r.method} ${r.path} ${r.function} ${String(r.authorized)}`);
    assert.deepEqual(routes.sort(), [
      `GET /api/ai/interactions ${AI_DRAFTS_FUNCTION} true`,
      `GET /api/ai/stats ${AI_DRAFTS_FUNCTION} true`,
      `GET /api/ai/suggestions ${AI_DRAFTS_FUNCTION} true`,
      `POST /api/ai/query ${AI_QUERY_FUNCTION} true`,
      `POST /api/ai/suggestions ${AI_DRAFTS_FUNCTION} true`,
      `POST /api/ai/suggestions/{suggestionId}/approve ${AI_DRAFTS_FUNCTION} true`,
      `POST /api/ai/suggestions/{suggestionId}/feedback ${AI_DRAFTS_FUNCTION} true`,
      `POST /api/ai/suggestions/{suggestionId}/reject ${AI_DRAFTS_FUNCTION} true`,
    ]);
    for (const name of AI_FUNCTIONS) assert.ok(SCHEMA.functions.includes(name), name);
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: both AI functions are deployed with the API functions' timeout, within API Gateway's, and a Bedrock call's limit within it`, () => {
      const t = tpl(env);
      assert.equal(AI_DRAFTS_TIMEOUT.toSeconds(), FUNCTION_TIMEOUT.toSeconds());
      for (const name of AI_FUNCTIONS) {
        const timeout = functionProps(t, env, name)['Timeout'] as number;
        assert.equal(timeout, FUNCTION_TIMEOUT.toSeconds(), name);
        assert.ok(timeout <= API_INTEGRATION_TIMEOUT.toSeconds(), `${name} answers routes`);
        assert.ok(AI_CALL_TIMEOUT.toSeconds() < timeout, `${name}: a Bedrock call of ${AI_CALL_TIMEOUT.toHumanString()} ends before the function does`);
        for (const route of SCHEMA.routes.filter((r) => r.function === name)) {
          t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}`, AuthorizationType: 'CUSTOM' });
        }
      }
    });

    it(`${env}: the AI functions are told the knowledge base, the agent and its alias, the model and the Bedrock call's limit; no other function is`, () => {
      const t = tpl(env);
      const { existing } = testConfig(env);
      assert.ok(existing.bedrockAgentAliasId !== null, 'every tested environment names an alias');
      const expected = {
        AI_KNOWLEDGE_BASE_ID: existing.bedrockKnowledgeBaseId,
        AI_AGENT_ID: existing.bedrockAgentId,
        AI_AGENT_ALIAS_ID: existing.bedrockAgentAliasId,
        AI_MODEL_ARN: existing.bedrockModelArn,
        AI_TIMEOUT_MS: String(AI_CALL_TIMEOUT.toMilliseconds()),
      };
      assert.equal(expected.AI_TIMEOUT_MS, '25000');
      for (const name of SCHEMA.functions) {
        const vars = envOf(t, env, name);
        const told = Object.fromEntries(AI_VARIABLES.filter((v) => v in vars).map((v) => [v, vars[v]]));
        assert.deepEqual(told, (AI_FUNCTIONS as readonly string[]).includes(name) ? expected : {}, name);
        // Read by wecare_ai::Config, the AI table's variable comes with every table's.
        if ((AI_FUNCTIONS as readonly string[]).includes(name)) {
          for (const v of [...AI_VARIABLES, 'AI_INTERACTIONS_TABLE']) assert.ok(variablesReadByFunction(name).has(v), `${name} reads ${v}`);
          assert.deepEqual(vars['AI_INTERACTIONS_TABLE'], { Ref: tableId(t, env, 'AIInteractions') });
        }
      }
      // The Rust default is the deployed value, set all the same.
      assert.match(rustSource('crates/ai/src/lib.rs'), new RegExp(`pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs\\(${AI_CALL_TIMEOUT.toSeconds()}\\);`));
    });

    it(`${env}: Bedrock is granted on the configured knowledge base, agent alias and model only — retrieving and generating to ai-query-kb, invoking the agent to ai-generate-response, nothing to anyone else`, () => {
      const t = tpl(env);
      const { existing } = testConfig(env);
      const expected: Record<string, string[]> = {
        [AI_QUERY_FUNCTION]: [
          `bedrock:InvokeModel ${JSON.stringify(existing.bedrockModelArn)}`,
          `bedrock:Retrieve ${JSON.stringify(joined(`knowledge-base/${existing.bedrockKnowledgeBaseId}`))}`,
          // No resource type in the Service Authorization Reference: "*" is all IAM accepts. What
          // it reaches is the model, through the InvokeModel above.
          'bedrock:RetrieveAndGenerate "*"',
        ],
        [AI_DRAFTS_FUNCTION]: [`bedrock:InvokeAgent ${JSON.stringify(joined(`agent-alias/${existing.bedrockAgentId}/${String(existing.bedrockAgentAliasId)}`))}`],
      };
      assert.equal(existing.bedrockModelArn, 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', 'Amazon Nova Pro, as the specification says');
      for (const name of SCHEMA.functions) {
        const granted = bedrockGrantsOf(t, env, name);
        assert.deepEqual(granted, expected[name] ?? [], `${name} on Bedrock`);
        // Nothing broader: no wildcard in any resource but RetrieveAndGenerate's, no bedrock:*.
        for (const line of granted) {
          const [action, resource] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
          assert.ok(!action.includes('*'), line);
          if (action !== 'bedrock:RetrieveAndGenerate') assert.ok(!resource.includes('*'), line);
        }
      }
    });

    it(`${env}: ai-generate-response consumes ai-queue ${AI_BATCH_SIZE} request at a time, reporting those it wants again, at most ${AI_MAX_CONCURRENCY} at once`, () => {
      const t = tpl(env);
      const mappings = resourcesOf(t, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties['EventSourceArn']).includes(`"${queueId(t, env, 'ai-queue')}"`));
      assert.equal(mappings.length, 1);
      assert.deepEqual(mappings[0]?.[1].Properties, {
        EventSourceArn: { 'Fn::GetAtt': [queueId(t, env, 'ai-queue'), 'Arn'] },
        FunctionName: { Ref: functionId(t, env, AI_DRAFTS_FUNCTION) },
        BatchSize: AI_BATCH_SIZE,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: AI_MAX_CONCURRENCY },
      });
      t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    });

    it(`${env}: ai-queue keeps a request an hour, hides it ${VISIBILITY_TO_TIMEOUT_RATIO}× its consumer's timeout while it is drafted, and has no dead-letter queue; the inbound handler and the DLQ replay send to it, ai-generate-response polls it, nobody else touches it`, () => {
      const t = tpl(env);
      const queue = (t.toJSON()['Resources'] as Record<string, Resource>)[queueId(t, env, 'ai-queue')];
      assert.equal(queue?.Properties['MessageRetentionPeriod'], 3600);
      assert.equal(queue?.Properties['VisibilityTimeout'], VISIBILITY_TO_TIMEOUT_RATIO * (functionProps(t, env, AI_DRAFTS_FUNCTION)['Timeout'] as number));
      assert.equal(queue?.Properties['RedrivePolicy'], undefined);
      // No other queue redrives to it either: it is nobody's dead-letter queue.
      assert.doesNotMatch(JSON.stringify(resourcesOf(t, 'AWS::SQS::Queue').map(([, q]) => q.Properties['RedrivePolicy'])), new RegExp(`"${queueId(t, env, 'ai-queue')}"`));
      const poll = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].map((a) => `${a} ai-queue`);
      const expected: Record<string, string[]> = {
        [INBOUND_HANDLER]: ['sqs:SendMessage ai-queue'],
        [DLQ_REPLAY]: ['sqs:SendMessage ai-queue'],
        [AI_DRAFTS_FUNCTION]: poll,
      };
      for (const name of SCHEMA.functions) {
        assert.deepEqual(sqsGrantsOf(t, env, name).filter((g) => g.endsWith(' ai-queue')), expected[name] ?? [], `${name} on ai-queue`);
      }
      // The AI functions touch no other queue.
      for (const name of AI_FUNCTIONS) assert.deepEqual(sqsGrantsOf(t, env, name).filter((g) => !g.endsWith(' ai-queue')), [], name);
    });

    it(`${env}: the AI functions get exactly their tables, and neither publishes an alert nor touches a bucket`, () => {
      const t = tpl(env);
      const read = ['dynamodb:GetItem', 'dynamodb:Query'];
      const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      const expected: Record<string, Record<string, 'read' | 'write' | 'readWrite'>> = {
        // The question and the day's counts; the contact a question names; the guard's denials.
        [AI_QUERY_FUNCTION]: { AIInteractions: 'readWrite', Contacts: 'read', AuditLogs: 'write' },
        // Suggestions and counts; the contact and its recent messages; the approved text's send
        // (message, rate bucket, audit); the tenant's automation switch, read only.
        [AI_DRAFTS_FUNCTION]: { AIInteractions: 'readWrite', Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write', SystemConfig: 'read' },
      };
      for (const name of AI_FUNCTIONS) {
        const role = roleOf(t, env, name);
        for (const def of SCHEMA.tables) {
          const actions = tableActions(t, role, tableId(t, env, def.name));
          const access = expected[name]?.[def.name];
          if (access === undefined) assert.equal(actions.size, 0, `${name} has nothing on ${def.name}`);
          if (access === 'read' || access === 'readWrite') for (const a of read) assert.ok(actions.has(a), `${name} may ${a} on ${def.name}`);
          if (access === 'write' || access === 'readWrite') for (const a of write) assert.ok(actions.has(a), `${name} may ${a} on ${def.name}`);
          if (access === 'read') for (const a of write) assert.ok(!actions.has(a), `${name} only reads ${def.name}`);
          if (access === 'write') for (const a of read) assert.ok(!actions.has(a), `${name} only writes ${def.name}`);
        }
        assert.deepEqual(statementsOf(t, role).flatMap(actionsOf).filter((a) => /^(sns|kms|s3|ses|sms-voice|cognito-idp):/.test(a)), [], `${name}: no alert, bucket, email, SMS or user pool`);
        assert.equal(WIRING[name]?.publishesAlerts, undefined, name);
      }
      // ai-query-kb sends nothing at all.
      assert.deepEqual(statementsOf(t, roleOf(t, env, AI_QUERY_FUNCTION)).flatMap(actionsOf).filter((a) => a.startsWith('social-messaging:')), []);
    });
  }

  it('the Rust code calls exactly the operations granted: a question retrieves and generates (ai-query-kb), a draft invokes the agent (ai-generate-response)', () => {
    const assistant = 'crates/ai/src/assistant.rs';
    const operations = (body: string): string[] => [...new Set([...body.matchAll(/\.(retrieve|retrieve_and_generate|invoke_agent|invoke_model\w*|converse\w*)\(\)/g)].map((m) => iamActionOf(m[1] as string)))].sort();
    assert.deepEqual(operations(rustSource(assistant)), ['InvokeAgent', 'Retrieve', 'RetrieveAndGenerate'], 'no other Bedrock operation (is the scan still right?)');
    assert.deepEqual(operations(rustFnBody(assistant, 'ask')), ['Retrieve', 'RetrieveAndGenerate']);
    assert.deepEqual(operations(rustFnBody(assistant, 'draft')), ['InvokeAgent']);
    assert.match(rustFnBody('crates/ai/src/query.rs', 'ask'), /assistant\.ask\(/);
    assert.match(rustFnBody('crates/ai/src/suggestions.rs', 'draft'), /assistant\.draft\(/);
    // Each function reaches its own: the question route asks, the suggestion routes and the queue draft.
    const own = (fn: string): string => rustSources(`functions/${fn}`).map(rustSource).join('\n');
    assert.match(own(AI_QUERY_FUNCTION), /use wecare_ai::query::\{ask\b/);
    assert.doesNotMatch(own(AI_QUERY_FUNCTION), /suggestions::/);
    assert.match(own(AI_DRAFTS_FUNCTION), /suggestions::draft\(/);
    assert.doesNotMatch(own(AI_DRAFTS_FUNCTION), /query::ask|\bask\(/);
    assert.deepEqual(WIRING[AI_QUERY_FUNCTION]?.bedrock, ['Retrieve', 'RetrieveAndGenerate']);
    assert.deepEqual(WIRING[AI_DRAFTS_FUNCTION]?.bedrock, ['InvokeAgent']);
    for (const name of SCHEMA.functions.filter((f) => !(AI_FUNCTIONS as readonly string[]).includes(f))) {
      assert.equal(WIRING[name]?.bedrock, undefined, name);
      assert.ok(!workspaceCratesOf(name).has('wecare-ai'), `${name} does not build the AI assistant`);
    }
  });

  it('an approved suggestion is a WhatsApp text: the AI code builds no other content, so it never reaches the template check, the tier or its alert', () => {
    const sources = [...rustSources('crates/ai'), ...AI_FUNCTIONS.flatMap((f) => rustSources(`functions/${f}`))].map(rustSource).join('\n');
    assert.deepEqual([...new Set([...sources.matchAll(/\bContent::(\w+)\(/g)].map((m) => m[1]))], ['WhatsApp']);
    assert.deepEqual([...new Set([...sources.matchAll(/\bWhatsAppContent::(\w+)/g)].map((m) => m[1]))], ['Text']);
    // The pipeline opens a business-initiated conversation (tier and alert) for a template only.
    assert.match(rustSource(SEND_PIPELINE), /business_initiated = is_template && !window_open;/);
    assert.deepEqual([...TEXT_ONLY_WHATSAPP_SENDERS], [AI_DRAFTS_FUNCTION]);
    assert.deepEqual(WIRING[AI_DRAFTS_FUNCTION]?.sends, ['whatsapp']);
    assert.equal(WIRING[AI_DRAFTS_FUNCTION]?.whatsAppTemplates, undefined);
  });

  it('ai-generate-response gives a request up after its receives, counted as AiDraftsGivenUp; a batch of one ends within its timeout', () => {
    const lib = rustSource(`functions/${AI_DRAFTS_FUNCTION}/src/lib.rs`);
    assert.match(lib, new RegExp(`const MAX_RECEIVES: u32 = ${AI_MAX_RECEIVES};`));
    assert.match(lib, new RegExp(`metrics::count\\("${AI_DRAFTS_GIVEN_UP}", &\\[\\]\\)`));
    assert.match(lib, /batch_item_failures\.push\(/, 'it reports the requests it wants again');
    assert.ok(AI_BATCH_SIZE * AI_CALL_TIMEOUT.toSeconds() < AI_DRAFTS_TIMEOUT.toSeconds(), 'the batch\'s Bedrock calls, one after another, end before the function');
    // Drafts one request after another: a larger batch would outlast the timeout.
    assert.match(lib, /for record in event\.records \{/);
    // The whole life of a request fits the retention: every receive and its visibility timeout.
    assert.ok(AI_MAX_RECEIVES * VISIBILITY_TO_TIMEOUT_RATIO * AI_DRAFTS_TIMEOUT.toSeconds() <= AI_QUEUE_RETENTION.toSeconds());
  });

  it('the inbound handler counts a draft request it could not make with each Reason the alarm sums', () => {
    const inbound = rustSource('functions/inbound-whatsapp-handler/src/lib.rs');
    const reasons = [...inbound.matchAll(new RegExp(`metrics::count\\("${AI_DRAFT_REQUEST_FAILED}", &\\[\\("Reason", "(\\w+)"\\)\\]\\)`, 'g'))].map((m) => m[1]);
    assert.deepEqual(reasons, [...AI_DRAFT_REQUEST_FAILURE_REASONS]);
  });

  it('the AI metrics are emitted with the dimension sets the alarm sums', () => {
    const kinds = [...rustFnBody('crates/ai/src/query.rs', 'kind_of').matchAll(/=> "(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(kinds, [...AI_ERROR_KINDS]);
    assert.match(rustSource('crates/ai/src/query.rs'), new RegExp(`metrics::count\\("${AI_ERRORS}", &\\[\\("Operation", "query"\\), \\("Kind", kind_of\\(e\\)\\)\\]\\)`));
    const suggestions = rustSource('crates/ai/src/suggestions.rs');
    assert.match(suggestions, new RegExp(`"${AI_ERRORS}",\\s*&\\[\\("Operation", "suggestion"\\), \\("Kind", kind_of\\(e\\)\\), \\("Origin", origin\\)\\]`));
    assert.deepEqual([...suggestions.matchAll(/Origin::\w+ \{\s*"(\w+)"\s*\} else \{\s*"(\w+)"\s*\}/g)].flatMap((m) => [m[1], m[2]]), [...AI_ORIGINS]);
    assert.deepEqual(
      AI_ERROR_DIMENSION_SETS.map((d) => Object.keys(d).join(',')),
      [...AI_ERROR_KINDS.map(() => 'Operation,Kind'), ...AI_ERROR_KINDS.flatMap(() => AI_ORIGINS.map(() => 'Operation,Kind,Origin'))],
    );
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: Bedrock errors (every dimension set of AiErrors, summed), given-up draft requests and draft requests never queued alarm to the alerts topic`, () => {
      const t = tpl(env);
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', (p) => p['TopicName'] === `${prefix(env)}alerts`, 'alerts topic');
      const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const errors = alarms.find((a) => a['AlarmName'] === `${prefix(env)}ai-errors`);
      assert.ok(errors, 'ai-errors alarm');
      type MetricQuery = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } };
      const queries = errors['Metrics'] as MetricQuery[];
      const expression = queries.find((q) => q.Expression !== undefined);
      const stats = queries.filter((q) => q.MetricStat !== undefined);
      assert.equal(expression?.Expression, `SUM([${stats.map((q) => q.Id).join(', ')}])`);
      assert.equal(stats.length, AI_ERROR_DIMENSION_SETS.length);
      const sets = stats.map((q) => {
        assert.equal(q.ReturnData, false);
        assert.deepEqual([q.MetricStat?.Metric.Namespace, q.MetricStat?.Metric.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period], [METRICS_NAMESPACE, AI_ERRORS, 'Sum', 300]);
        return Object.fromEntries((q.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      });
      assert.deepEqual(
        sets.map((d) => JSON.stringify(Object.entries(d).sort())).sort(),
        AI_ERROR_DIMENSION_SETS.map((d) => JSON.stringify(Object.entries({ Environment: env, ...d }).sort())).sort(),
      );
      const givenUp = alarms.find((a) => a['AlarmName'] === `${prefix(env)}ai-drafts-given-up`);
      assert.ok(givenUp, 'ai-drafts-given-up alarm');
      assert.deepEqual([givenUp['Namespace'], givenUp['MetricName'], givenUp['Statistic'], givenUp['Period']], [METRICS_NAMESPACE, AI_DRAFTS_GIVEN_UP, 'Sum', 300]);
      assert.deepEqual(givenUp['Dimensions'], [{ Name: 'Environment', Value: env }]);
      const requestsFailed = alarms.find((a) => a['AlarmName'] === `${prefix(env)}ai-draft-requests-failed`);
      assert.ok(requestsFailed, 'ai-draft-requests-failed alarm');
      const failedQueries = requestsFailed['Metrics'] as MetricQuery[];
      const failedStats = failedQueries.filter((q) => q.MetricStat !== undefined);
      assert.equal(failedQueries.find((q) => q.Expression !== undefined)?.Expression, `SUM([${failedStats.map((q) => q.Id).join(', ')}])`);
      assert.deepEqual(
        failedStats.map((q) => {
          assert.deepEqual([q.MetricStat?.Metric.Namespace, q.MetricStat?.Metric.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period], [METRICS_NAMESPACE, AI_DRAFT_REQUEST_FAILED, 'Sum', 300]);
          return Object.fromEntries((q.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        }),
        AI_DRAFT_REQUEST_FAILURE_REASONS.map((reason) => ({ Environment: env, Reason: reason })),
      );
      for (const alarm of [errors, givenUp, requestsFailed]) {
        assert.deepEqual(alarm['AlarmActions'], [{ Ref: topicId }]);
        assert.deepEqual(alarm['OKActions'], [{ Ref: topicId }]);
        assert.equal(alarm['Threshold'], 1);
        assert.equal(alarm['ComparisonOperator'], 'GreaterThanOrEqualToThreshold');
        assert.equal(alarm['EvaluationPeriods'], 1);
        // Both exist only when something failed: no data is no failure.
        assert.equal(alarm['TreatMissingData'], 'notBreaching');
      }
    });
  }

  describe('with an inference profile as the knowledge base\'s model', () => {
    const profile = 'arn:aws:bedrock:us-east-1:809904170947:inference-profile/us.amazon.nova-pro-v1:0';
    let profiled: Template;
    before(() => {
      const base = testConfig('staging');
      profiled = templateOf(buildTestApp({ environments: ['staging'], configs: { staging: { ...base, existing: { ...base.existing, bedrockModelArn: profile } } } }).stacks, 'staging');
    });

    it('ai-query-kb may read the profile and invoke through it, and invoke its one foundation model in any region the profile routes to; nothing else changes', () => {
      const { existing } = testConfig('staging');
      assert.deepEqual(bedrockGrantsOf(profiled, 'staging', AI_QUERY_FUNCTION), [
        `bedrock:GetInferenceProfile ${JSON.stringify(profile)}`,
        'bedrock:InvokeModel "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"',
        `bedrock:InvokeModel ${JSON.stringify(profile)}`,
        `bedrock:Retrieve ${JSON.stringify(joined(`knowledge-base/${existing.bedrockKnowledgeBaseId}`))}`,
        'bedrock:RetrieveAndGenerate "*"',
      ]);
      assert.deepEqual(bedrockGrantsOf(profiled, 'staging', AI_DRAFTS_FUNCTION), bedrockGrantsOf(tpl('staging'), 'staging', AI_DRAFTS_FUNCTION));
      for (const name of AI_FUNCTIONS) assert.equal(envOf(profiled, 'staging', name)['AI_MODEL_ARN'], profile, name);
    });
  });
});
