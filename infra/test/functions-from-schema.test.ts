// The app follows schema.json: a function and route added there are deployed without touching
// the constructs, a function nobody decided the permissions of stops synthesis, and the
// specification's shared IAM role can replace the per-function roles.

import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../lib/config';
import { AI_MAX_CONCURRENCY } from '../lib/constructs/ai';
import type { Schema } from '../lib/schema';
import { WIRING } from '../lib/wiring';
import { buildTestApp, CONFIG_DIR, FUNCTIONS_DIR, resourcesOf, SCHEMA, tempDir } from './helpers';

/** A functions directory with the real crates plus a minimal crate called `name`. */
function functionsDirWith(name: string): string {
  const dir = tempDir('functions');
  for (const existing of SCHEMA.functions) {
    mkdirSync(join(dir, existing));
    cpSync(join(FUNCTIONS_DIR, existing, 'Cargo.toml'), join(dir, existing, 'Cargo.toml'));
  }
  mkdirSync(join(dir, name, 'src'), { recursive: true });
  writeFileSync(join(dir, name, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[[bin]]\nname = "${name}"\npath = "src/main.rs"\n`);
  return dir;
}

// A function that does not exist (yet): a CSV export of the contacts.
const NEW_FUNCTION = 'contacts-export';
const withExport: Schema = {
  ...SCHEMA,
  functions: [...SCHEMA.functions, NEW_FUNCTION],
  routes: [...SCHEMA.routes, { method: 'POST', path: '/api/contacts/exports', function: NEW_FUNCTION, authorized: true }],
};

describe('functions and routes are picked up from schema.json', () => {
  it('a new function with its route is deployed, authorized and granted what its wiring says', () => {
    const { stacks } = buildTestApp({
      environments: ['preview'],
      schema: withExport,
      functionsDir: functionsDirWith(NEW_FUNCTION),
      wiring: { ...WIRING, [NEW_FUNCTION]: { tables: { Contacts: 'read' } } },
    });
    const stack = stacks.get('preview');
    assert.ok(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `wecare-preview-${NEW_FUNCTION}`, Architectures: ['arm64'], Environment: { Variables: Match.objectLike({ SEND_MODE: 'DRY_RUN' }) } });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /api/contacts/exports', AuthorizationType: 'CUSTOM' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `wecare-preview-${NEW_FUNCTION}-errors` });
    // The platform's own functions, which it names (a preview also has aws-cdk-lib's bucket-emptying provider).
    assert.equal(resourcesOf(t, 'AWS::Lambda::Function').filter(([, r]) => typeof r.Properties['FunctionName'] === 'string').length, SCHEMA.functions.length + 1);
    const policies = resourcesOf(t, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('Functionscontactsexport'));
    assert.equal(policies.length, 1);
    assert.match(JSON.stringify(policies[0]?.[1].Properties), /DataContacts/);
    assert.doesNotMatch(JSON.stringify(policies[0]?.[1].Properties), /DataMessages|DataAiInteractions/);
  });

  it('a function without wiring stops synthesis and says where to decide its permissions', () => {
    assert.throws(
      () => buildTestApp({ environments: ['preview'], schema: withExport, functionsDir: functionsDirWith(NEW_FUNCTION) }),
      new RegExp(`function ${NEW_FUNCTION} is in schema\\.json but infra/lib/wiring\\.ts does not say which tables it may use`),
    );
  });

  it('a function listed without a crate stops synthesis', () => {
    assert.throws(() => buildTestApp({ environments: ['preview'], schema: withExport, wiring: { ...WIRING, [NEW_FUNCTION]: { tables: {} } } }), /is not a path to a Cargo\.toml file/);
  });
});

describe('the specification\'s shared IAM role', () => {
  it('runs every function as the configured role, creates no function roles and warns that grants are not added', () => {
    const config = { ...loadConfig(CONFIG_DIR, 'staging'), useExistingFunctionRole: true };
    const { stacks } = buildTestApp({ environments: ['staging'], configs: { staging: config } });
    const stack = stacks.get('staging');
    assert.ok(stack);
    const t = Template.fromStack(stack);
    for (const [, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
      assert.equal(fn.Properties['Role'], config.existing.functionRoleArn);
    }
    t.resourceCountIs('AWS::IAM::Role', 0);
    // No grant becomes a policy: not the tables', the media bucket's, nor the sqs:SendMessage
    // the inbound handler needs for what it cannot store and for its on-failure destination (the
    // warning names it).
    t.resourceCountIs('AWS::IAM::Policy', 0);
    // The inbound path and the event sources of the bulk worker and of the AI drafts are wired all
    // the same: they need no role of their own (the existing role must allow polling bulk-queue
    // and ai-queue; the warning says so).
    t.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: config.bulk.workerConcurrency } });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: AI_MAX_CONCURRENCY } });
    Annotations.fromStack(stack).hasWarning(
      '/WecareDigital-staging',
      Match.stringLikeRegexp('what the event sources poll bulk-queue \\(bulk-worker\\) and ai-queue \\(ai-generate-response\\) with \\(sqs:ReceiveMessage'),
    );
    // Nor is anything of Bedrock granted: the warning names it.
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('the Bedrock actions on the knowledge base, the agent alias and the model'));
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('sqs:SendMessage on ai-queue for inbound-whatsapp-handler and dlq-replay'));
    // Nor may the queue's policy stand in for the grant the role could not take.
    for (const [, policy] of resourcesOf(t, 'AWS::SQS::QueuePolicy')) {
      assert.doesNotMatch(JSON.stringify(policy.Properties['PolicyDocument']), /sqs:ReceiveMessage/);
    }
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: config.existing.inboundTopicArn });
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'wecare-staging-inbound-whatsapp-handler',
      Environment: { Variables: Match.objectLike({ MEDIA_BUCKET: config.existing.mediaBucketName, SENDERS: Match.stringLikeRegexp('"tenant":"wecare"') }) },
    });
    // A grant must not silently turn into a resource policy on a table either.
    for (const [, table] of resourcesOf(t, 'AWS::DynamoDB::Table')) assert.equal(table.Properties['ResourcePolicy'], undefined);
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('All functions run as arn:aws:iam::809904170947:role/base-wecare-digital'));
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('sqs:SendMessage on inbound-dlq'));
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('sns:Publish on the alerts topic with kms:GenerateDataKey and kms:Decrypt on its key'));
    Annotations.fromStack(stack).hasWarning('/WecareDigital-staging', Match.stringLikeRegexp('object actions on the media and reports buckets'));
    // The bulk functions are still told the reports bucket.
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'wecare-staging-bulk-job-create',
      Environment: { Variables: Match.objectLike({ REPORTS_BUCKET: config.existing.reportsBucketName }) },
    });
    // The messaging functions are still told the bucket, the topic, the tier and the template
    // catalogue's age; the alerts topic admits nobody through its policy (which only refuses plain
    // HTTP).
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'wecare-staging-outbound-whatsapp',
      Environment: {
        Variables: Match.objectLike({ MEDIA_BUCKET: config.existing.mediaBucketName, ALERTS_TOPIC_ARN: Match.anyValue(), WHATSAPP_TIER_LIMIT: '250', TEMPLATE_CATALOGUE_MAX_AGE_MINUTES: '60' }),
      },
    });
    for (const [, policy] of resourcesOf(t, 'AWS::SNS::TopicPolicy')) {
      assert.doesNotMatch(JSON.stringify(policy.Properties['PolicyDocument']), /"Effect":"Allow"/);
    }
  });
});
