// Deploying for real: the stack a branch builds (a feature branch's preview under its own prefix,
// DRY_RUN, and nothing of it kept once destroyed), the custom domain (certificate, TLS policy,
// alias records and the console's URL and config follow it; the API stays on the console's
// origin, so no CORS and no callback URL is needed with or without one), the configuration that
// cannot switch a channel off in production without stopping synthesis (and says so as warnings
// elsewhere), and the zips of `make build` deployed as they were built.

import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NoBranchError } from '../lib/app';
import { BranchError, deploymentForBranch } from '../lib/branches';
import { ConfigError, type EnvironmentConfig, loadConfig, parseConfig, type Sender } from '../lib/config';
import { VIEWER_TLS_POLICY } from '../lib/constructs/hosting';
import { readinessOf, ReadinessError } from '../lib/readiness';
import type { WecareStack } from '../lib/wecare-stack';
import { buildTestApp, CONFIG_DIR, INFRA_DIR, type Resource, resourcesOf, SCHEMA, tempDir, testConfig } from './helpers';

const CERTIFICATE = 'arn:aws:acm:us-east-1:809904170947:certificate/0b5c1f4e-7d2a-4c61-9a3e-2f8d6b1c9e70';
const ZONE = { id: 'Z0123456789ABCDEFGHIJ', name: 'wecare.digital' };

const stackOf = (built: { stacks: Map<string, WecareStack> }, environment: string): WecareStack => {
  const stack = built.stacks.get(environment);
  assert.ok(stack, `a ${environment} stack was built`);
  return stack;
};
const outputsOf = (t: Template): Record<string, { Value: unknown; Description?: string }> => t.toJSON()['Outputs'] as Record<string, { Value: unknown; Description?: string }>;
const distributionConfig = (t: Template): Record<string, unknown> => {
  const [[, distribution]] = resourcesOf(t, 'AWS::CloudFront::Distribution') as [[string, Resource]];
  return distribution.Properties['DistributionConfig'] as Record<string, unknown>;
};
const rawConfig = (env: string): Record<string, unknown> => JSON.parse(readFileSync(join(CONFIG_DIR, `${env}.json`), 'utf8')) as Record<string, unknown>;

describe('a feature branch deploys its own preview', () => {
  const branch = 'feature/Inbox-Filters';
  const deployment = deploymentForBranch(branch);
  const prefix = deployment.preview?.resourcePrefix ?? '';
  const built = buildTestApp({ branch });
  const stack = stackOf(built, 'preview');
  const t = Template.fromStack(stack);

  it('only that stack is built, named after the branch, with no termination protection', () => {
    assert.deepEqual([...built.stacks.keys()], ['preview']);
    assert.equal(stack.stackName, deployment.stackName);
    assert.match(stack.stackName, /^WecareDigital-preview-inbox-filter-[0-9a-f]{8}$/);
    assert.equal(stack.terminationProtection, false);
  });

  it('every function runs DRY_RUN as the preview environment', () => {
    for (const [, fn] of resourcesOf(t, 'AWS::Lambda::Function').filter(([, r]) => typeof r.Properties['FunctionName'] === 'string')) {
      const vars = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      assert.equal(vars['SEND_MODE'], 'DRY_RUN');
      assert.equal(vars['ENVIRONMENT'], 'preview');
    }
  });

  it('every table, queue, function, topic, alarm and the log group are its own', () => {
    for (const [type, property, count] of [
      ['AWS::DynamoDB::Table', 'TableName', SCHEMA.tables.length],
      ['AWS::SQS::Queue', 'QueueName', 5],
      ['AWS::Lambda::Function', 'FunctionName', SCHEMA.functions.length],
      ['AWS::SNS::Topic', 'TopicName', 1],
      ['AWS::CloudFront::Function', 'Name', 1],
      ['AWS::CloudWatch::Dashboard', 'DashboardName', 1],
    ] as const) {
      const names = resourcesOf(t, type).map(([, r]) => r.Properties[property]).filter((n): n is string => typeof n === 'string');
      assert.equal(names.length, count, type);
      for (const name of names) assert.ok(name.startsWith(prefix), `${type} ${name}`);
    }
    for (const [, alarm] of resourcesOf(t, 'AWS::CloudWatch::Alarm')) assert.ok(String(alarm.Properties['AlarmName']).startsWith(prefix));
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/base-wecare-digital/preview/common/${deployment.preview?.id}` });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', { ClientName: `${prefix}console` });
  });

  it('two feature branches share no physical name', () => {
    const other = Template.fromStack(stackOf(buildTestApp({ branch: 'feature/inbox-filters' }), 'preview'));
    const names = (tpl: Template): Set<string> =>
      new Set(
        Object.values(tpl.toJSON()['Resources'] as Record<string, Resource>).flatMap((r) =>
          ['TableName', 'QueueName', 'FunctionName', 'TopicName', 'Name', 'AlarmName', 'DashboardName', 'LogGroupName', 'ClientName'].map((k) => r.Properties?.[k]).filter((n): n is string => typeof n === 'string'),
        ),
      );
    const shared = [...names(t)].filter((n) => names(other).has(n));
    assert.deepEqual(shared, []);
  });

  it('can be torn down: nothing is retained, no table is protected, and both buckets are emptied on deletion', () => {
    const resources = t.toJSON()['Resources'] as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: Record<string, unknown> }>;
    for (const [id, r] of Object.entries(resources)) {
      assert.notEqual(r.DeletionPolicy, 'Retain', `${id} (${r.Type}) would outlive the preview`);
      assert.notEqual(r.DeletionPolicy, 'RetainExceptOnCreate', `${id} (${r.Type}) would outlive the preview`);
    }
    for (const [, table] of resourcesOf(t, 'AWS::DynamoDB::Table')) assert.notEqual(table.Properties['DeletionProtectionEnabled'], true);
    const buckets = resourcesOf(t, 'AWS::S3::Bucket').map(([id]) => id);
    assert.equal(buckets.length, 2);
    const emptied = resourcesOf(t, 'Custom::S3AutoDeleteObjects').map(([, r]) => JSON.stringify(r.Properties['BucketName']));
    for (const id of buckets) assert.ok(emptied.some((b) => b.includes(`"${id}"`)), `${id} is emptied before it is deleted`);
  });

  it('staging and production keep what they hold: their buckets are never emptied by a deletion', () => {
    for (const env of ['staging', 'production'] as const) {
      const tpl = Template.fromStack(stackOf(buildTestApp({ environments: [env] }), env));
      tpl.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    }
    const production = Template.fromStack(stackOf(buildTestApp({ environments: ['production'] }), 'production'));
    for (const [, table] of resourcesOf(production, 'AWS::DynamoDB::Table')) assert.equal(table.Properties['DeletionProtectionEnabled'], true);
  });

  it('the CLI\'s -c branch=… picks the stack as the option does', () => {
    const viaContext = buildTestApp({ context: { branch } });
    assert.deepEqual([...viaContext.stacks.keys()], ['preview']);
    assert.equal(stackOf(viaContext, 'preview').stackName, deployment.stackName);
  });
});

describe('other branches', () => {
  it('main and hotfix/* build the production stack, LIVE and protected from termination', () => {
    for (const branch of ['main', 'hotfix/tier-warning']) {
      const built = buildTestApp({ branch });
      const stack = stackOf(built, 'production');
      assert.equal(stack.stackName, 'WecareDigital-production');
      assert.equal(stack.terminationProtection, true);
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SEND_MODE: 'LIVE', ENVIRONMENT: 'production' }) } });
    }
  });

  it('release/* builds staging, DRY_RUN', () => {
    const stack = stackOf(buildTestApp({ branch: 'release/2027.01' }), 'staging');
    assert.equal(stack.stackName, 'WecareDigital-staging');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SEND_MODE: 'DRY_RUN' }) } });
  });

  it('a branch outside the table builds nothing', () => {
    assert.throws(() => buildTestApp({ branch: 'develop' }), BranchError);
  });

  it('without a branch (or, in tests, a list of environments) the app refuses to guess', () => {
    assert.throws(() => buildTestApp({ environments: undefined }), (e: unknown) => e instanceof NoBranchError && /-c branch=main \(production\)/.test(e.message));
  });

  it('a preview is DRY_RUN whatever preview.json is handed: the stack\'s own LIVE guard has the last word', () => {
    const forged: EnvironmentConfig = { ...loadConfig(CONFIG_DIR, 'preview'), sendMode: 'LIVE' };
    assert.throws(() => buildTestApp({ branch: 'feature/x', configs: { preview: forged } }), /sendMode LIVE is not allowed in preview/);
  });
});

describe('the custom domain', () => {
  const withDomain = (env: 'production' | 'staging' | 'preview', domain: EnvironmentConfig['domain']): EnvironmentConfig => ({ ...testConfig(env), domain });

  const plain = Template.fromStack(stackOf(buildTestApp({ environments: ['production'] }), 'production'));
  const zoned = Template.fromStack(
    stackOf(buildTestApp({ environments: ['production'], configs: { production: withDomain('production', { name: 'base.wecare.digital', certificateArn: CERTIFICATE, hostedZone: ZONE }) } }), 'production'),
  );
  const unzoned = Template.fromStack(
    stackOf(buildTestApp({ environments: ['staging'], configs: { staging: withDomain('staging', { name: 'staging.wecare.digital', certificateArn: CERTIFICATE }) } }), 'staging'),
  );

  it('with a domain: the distribution answers on it with its us-east-1 certificate, SNI and TLS 1.2 at least', () => {
    const config = distributionConfig(zoned);
    assert.deepEqual(config['Aliases'], ['base.wecare.digital']);
    assert.deepEqual(config['ViewerCertificate'], { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: VIEWER_TLS_POLICY, SslSupportMethod: 'sni-only' });
    assert.equal(VIEWER_TLS_POLICY, 'TLSv1.2_2021');
  });

  it('without one: CloudFront\'s own address and certificate, no alias', () => {
    const config = distributionConfig(plain);
    assert.equal(config['Aliases'], undefined);
    assert.equal(config['ViewerCertificate'], undefined);
    plain.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('with a hosted zone: A and AAAA alias records of the name to the distribution', () => {
    zoned.resourceCountIs('AWS::Route53::RecordSet', 2);
    const distribution = resourcesOf(zoned, 'AWS::CloudFront::Distribution')[0]?.[0];
    for (const type of ['A', 'AAAA']) {
      zoned.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'base.wecare.digital.',
        Type: type,
        HostedZoneId: ZONE.id,
        AliasTarget: { DNSName: { 'Fn::GetAtt': [distribution, 'DomainName'] }, HostedZoneId: Match.anyValue() },
      });
    }
  });

  it('without a hosted zone: no record, and the output says where to point a CNAME', () => {
    unzoned.resourceCountIs('AWS::Route53::RecordSet', 0);
    assert.match(outputsOf(unzoned)['ConsoleDnsTarget']?.Description ?? '', /Point staging\.wecare\.digital here with a CNAME record/);
    assert.deepEqual(distributionConfig(unzoned)['Aliases'], ['staging.wecare.digital']);
  });

  it('the console\'s URL follows the domain', () => {
    assert.equal(outputsOf(zoned)['ConsoleUrl']?.Value, 'https://base.wecare.digital');
    assert.equal(outputsOf(unzoned)['ConsoleUrl']?.Value, 'https://staging.wecare.digital');
    const distribution = resourcesOf(plain, 'AWS::CloudFront::Distribution')[0]?.[0];
    assert.deepEqual(outputsOf(plain)['ConsoleUrl']?.Value, { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] });
  });

  it('a preview is served at <its id>.<preview domain>', () => {
    const domain = { name: 'preview.wecare.digital', certificateArn: CERTIFICATE, hostedZone: ZONE };
    const built = buildTestApp({ branch: 'feature/inbox', configs: { preview: withDomain('preview', domain) } });
    const t = Template.fromStack(stackOf(built, 'preview'));
    const host = `${deploymentForBranch('feature/inbox').preview?.id}.preview.wecare.digital`;
    assert.deepEqual(distributionConfig(t)['Aliases'], [host]);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: `${host}.`, Type: 'A' });
    assert.equal(outputsOf(t)['ConsoleUrl']?.Value, `https://${host}`);
  });

  for (const [label, template] of [
    ['with a domain', (): Template => zoned],
    ['without one', (): Template => plain],
  ] as const) {
    it(`${label}: the console calls the API on its own origin, so the API allows no other (no CORS) and sign-in needs no callback URL`, () => {
      const t = template();
      for (const [, api] of resourcesOf(t, 'AWS::ApiGatewayV2::Api')) assert.equal(api.Properties['CorsConfiguration'], undefined);
      const config = distributionConfig(t) as { CacheBehaviors: { PathPattern: string }[] };
      assert.deepEqual(config.CacheBehaviors.map((b) => b.PathPattern), ['/api/*']);
      // The console signs in with the Cognito API (USER_PASSWORD_AUTH), never through a redirect.
      t.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlowsUserPoolClient: false, CallbackURLs: Match.absent(), LogoutURLs: Match.absent() });
      const consoleConfig = outputsOf(t)['ConsoleConfig']?.Value;
      assert.match(JSON.stringify(consoleConfig), /\\"apiBase\\":\\"\/api\\"/);
    });
  }

  it('the ConsoleConfig output is the config.json the console reads: every key of its schema, and no other', () => {
    const schema = readFileSync(join(INFRA_DIR, '..', 'frontend', 'src', 'config', 'config.ts'), 'utf8');
    const block = /configSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(schema)?.[1] ?? '';
    const keys = [...block.matchAll(/^\s+(\w+): z\./gm)].map((m) => m[1]).sort();
    assert.ok(keys.length >= 5, `read the console's config schema: ${keys.join(', ')}`);
    const value = JSON.stringify(outputsOf(plain)['ConsoleConfig']?.Value);
    const written = [...value.matchAll(/\\"(\w+)\\":/g)].map((m) => m[1]).sort();
    assert.deepEqual(written, keys);
    assert.match(value, /cognito-idp\.us-east-1\.amazonaws\.com\//);
    assert.match(value, /us-east-1_CC9u1fYh6/);
  });

  it('the deploy script finds the outputs it reads under fixed keys', () => {
    const script = readFileSync(join(INFRA_DIR, 'scripts', 'deploy.sh'), 'utf8');
    const read = [...new Set([...script.matchAll(/\boutput (\w+)/g)].map((m) => m[1] as string))].sort();
    assert.deepEqual(read, ['ConsoleBucketName', 'ConsoleConfig', 'ConsoleUrl', 'DistributionId']);
    for (const key of [...read, 'ConsoleDnsTarget', 'ApiEndpoint']) {
      assert.ok(outputsOf(plain)[key], key);
      assert.ok(outputsOf(zoned)[key], key);
    }
  });

  describe('in the configuration', () => {
    const withRaw = (domain: unknown): Record<string, unknown> => ({ ...rawConfig('production'), domain });
    const problems = (domain: unknown): string => {
      try {
        parseConfig(withRaw(domain), 'p.json');
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
      assert.fail('accepted');
    };

    it('every checked-in environment says whether it has one (none yet)', () => {
      for (const env of ['production', 'staging', 'preview']) assert.equal(rawConfig(env)['domain'], null, env);
    });

    it('takes a name and certificate, with or without a hosted zone', () => {
      assert.deepEqual(parseConfig(withRaw({ name: 'base.wecare.digital', certificateArn: CERTIFICATE, hostedZone: ZONE }), 'p.json').domain, { name: 'base.wecare.digital', certificateArn: CERTIFICATE, hostedZone: ZONE });
      assert.deepEqual(parseConfig(withRaw({ name: 'base.wecare.digital', certificateArn: CERTIFICATE }), 'p.json').domain, { name: 'base.wecare.digital', certificateArn: CERTIFICATE });
      assert.deepEqual(parseConfig(withRaw({ name: 'wecare.digital', certificateArn: CERTIFICATE, hostedZone: null }), 'p.json').domain, { name: 'wecare.digital', certificateArn: CERTIFICATE });
    });

    it('refuses a certificate outside us-east-1, and says why', () => {
      assert.match(problems({ name: 'base.wecare.digital', certificateArn: CERTIFICATE.replace('us-east-1', 'ap-south-1') }), /domain\.certificateArn is in ap-south-1, but CloudFront only uses certificates from us-east-1/);
    });

    it('refuses a name outside its hosted zone, malformed names, ids and ARNs, and unknown settings', () => {
      assert.match(problems({ name: 'base.wecare.digital', certificateArn: CERTIFICATE, hostedZone: { id: ZONE.id, name: 'example.com' } }), /domain\.name base\.wecare\.digital is not in the hosted zone example\.com/);
      assert.match(problems({ name: 'notwecare.digital', certificateArn: CERTIFICATE, hostedZone: ZONE }), /is not in the hosted zone wecare\.digital/);
      assert.match(problems({ name: 'Base.WeCare.digital', certificateArn: CERTIFICATE }), /domain\.name must be a lower-case host name/);
      assert.match(problems({ name: 'https://base.wecare.digital', certificateArn: CERTIFICATE }), /domain\.name must be a lower-case host name/);
      assert.match(problems({ name: 'base.wecare.digital', certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' }), /domain\.certificateArn must be an ACM certificate ARN.*aws acm list-certificates --region us-east-1/);
      assert.match(problems({ name: 'base.wecare.digital', certificateArn: CERTIFICATE, hostedZone: { id: 'wecare.digital', name: 'wecare.digital' } }), /domain\.hostedZone\.id must be a Route 53 hosted zone id.*list-hosted-zones-by-name/);
      assert.match(problems({ name: 'base.wecare.digital', certificateArn: CERTIFICATE, aliases: [] }), /domain\.aliases is not a known setting/);
      assert.match(problems('base.wecare.digital'), /domain must be null or an object/);
      const { domain: _, ...missing } = rawConfig('production');
      assert.throws(() => parseConfig(missing, 'p.json'), /domain must be null \(the console at its CloudFront address\) or/);
    });
  });
});

describe('a configuration that cannot silently switch a channel, or the AI assistant, off', () => {
  const production = testConfig('production');
  const testStack = (): WecareStack => stackOf(buildTestApp({ environments: ['production'] }), 'production');
  const without = (config: EnvironmentConfig, channel: Sender['channel']): EnvironmentConfig => ({ ...config, senders: config.senders.filter((s) => s.channel !== channel) });
  const refusal = (config: EnvironmentConfig): string => {
    try {
      buildTestApp({ environments: ['production'], configs: { production: config } });
    } catch (e) {
      assert.ok(e instanceof ReadinessError, String(e));
      return e.message;
    }
    assert.fail('production synthesized');
  };

  it('production with no WhatsApp number is refused, naming senders and how to find the ids', () => {
    const message = refusal(without(production, 'whatsapp'));
    assert.match(message, /^config\/production\.json cannot deploy production/);
    assert.match(message, /senders in config\/production\.json lists no WhatsApp number, so every WhatsApp send would be refused as not allowlisted/);
    assert.match(message, /"channel": "whatsapp", "id": "phone-number-id-…", "wabaId": "…"/);
    assert.match(message, /`aws socialmessaging list-linked-whatsapp-business-accounts --region us-east-1`/);
    assert.match(message, /phoneNumbers\[\]\.phoneNumberId.*`aws socialmessaging get-linked-whatsapp-business-account --id waba-… --region us-east-1`/);
  });

  it('production with no SMS origination identity is refused, naming the commands that list pools and numbers', () => {
    const message = refusal(without(production, 'sms'));
    assert.match(message, /lists no SMS origination identity, so every SMS would be refused/);
    assert.match(message, /`aws pinpoint-sms-voice-v2 describe-pools --region us-east-1`/);
    assert.match(message, /`aws pinpoint-sms-voice-v2 describe-phone-numbers --region us-east-1`/);
    assert.doesNotMatch(message, /WhatsApp/);
  });

  it('production with no email sender is refused, naming the command that lists SES identities', () => {
    const message = refusal(without(production, 'email'));
    assert.match(message, /lists no email sender, so every email would be refused/);
    assert.match(message, /`aws sesv2 list-email-identities --region us-east-1`/);
  });

  it('every gap is listed at once, each sender example naming the tenant', () => {
    const message = refusal({ ...production, senders: [] });
    for (const what of ['WhatsApp number', 'SMS origination identity', 'email sender']) assert.match(message, new RegExp(`lists no ${what}`));
    assert.match(message, /\{"tenant": "wecare", "channel": "sms"/, 'single mode: the default tenant');
    assert.match(refusal({ ...production, senders: [], tenancy: { mode: 'multi' } }), /\{"tenant": "<tenant>", "channel": "email"/);
  });

  it('the checked-in production deploys only once it lists a WhatsApp number and names an alias of the Bedrock agent: it names the gaps it has', () => {
    const checkedIn = loadConfig(CONFIG_DIR, 'production');
    const { errors } = readinessOf(checkedIn);
    const channels = ['whatsapp', 'sms', 'email'].filter((c) => !checkedIn.senders.some((s) => s.channel === c));
    const alias = checkedIn.existing.bedrockAgentAliasId === null ? ['wecare:no-bedrock-agent-alias'] : [];
    assert.deepEqual(errors.map((e) => e.id), [...channels.map((c) => `wecare:no-${c}-sender`), ...alias]);
  });

  it('production without an alias of the Bedrock agent is refused, naming the setting and the command that lists the aliases', () => {
    const message = refusal({ ...production, existing: { ...production.existing, bedrockAgentAliasId: null } });
    assert.match(message, /^config\/production\.json cannot deploy production: a channel or the AI assistant would be switched off/);
    assert.match(message, /existing\.bedrockAgentAliasId in config\/production\.json is null, so nothing may invoke the Bedrock agent HQNT0JXN8G/);
    assert.match(message, /ai-query-kb and ai-generate-response refuse to start \(their config requires AI_AGENT_ALIAS_ID\)/);
    assert.match(message, /`aws bedrock-agent list-agent-aliases --agent-id HQNT0JXN8G --region us-east-1` lists its aliases \(agentAliasId\)/);
    assert.doesNotMatch(message, /lists no/, 'no channel is missing');
  });

  for (const env of ['staging', 'preview'] as const) {
    it(`${env} without an alias of the Bedrock agent synthesizes and warns; its AI functions are told no alias and may invoke no agent`, () => {
      const base = testConfig(env);
      const config: EnvironmentConfig = { ...base, existing: { ...base.existing, bedrockAgentAliasId: null } };
      const stack = stackOf(buildTestApp({ environments: [env], configs: { [env]: config } }), env);
      Annotations.fromStack(stack).hasWarning(`/${stack.stackName}`, Match.stringLikeRegexp(`existing\\.bedrockAgentAliasId in config/${env}\\.json is null`));
      const t = Template.fromStack(stack);
      for (const [, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
        const vars = (fn.Properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        assert.equal(vars['AI_AGENT_ALIAS_ID'], undefined, String(fn.Properties['FunctionName']));
      }
      assert.doesNotMatch(JSON.stringify(resourcesOf(t, 'AWS::IAM::Policy')), /bedrock:InvokeAgent/);
    });
  }

  it('the checked-in staging and previews invoke the agent\'s test alias, and say nothing of it', () => {
    for (const env of ['staging', 'preview'] as const) {
      assert.equal(loadConfig(CONFIG_DIR, env).existing.bedrockAgentAliasId, 'TSTALIASID', env);
      assert.deepEqual(readinessOf(loadConfig(CONFIG_DIR, env)).warnings.filter((w) => w.id.includes('bedrock')), [], env);
    }
  });

  it('a production that invokes the agent\'s test alias is told it runs the working draft, and deploys', () => {
    const stack = stackOf(buildTestApp({ environments: ['production'], configs: { production: { ...production, existing: { ...production.existing, bedrockAgentAliasId: 'TSTALIASID' } } } }), 'production');
    Annotations.fromStack(stack).hasWarning('/WecareDigital-production', Match.stringLikeRegexp('existing\\.bedrockAgentAliasId in config/production\\.json is TSTALIASID, the agent\'s test alias: production drafts replies with the agent\'s working draft'));
    Annotations.fromStack(testStack()).hasNoWarning('/WecareDigital-production', Match.stringLikeRegexp('bedrockAgentAliasId'));
  });

  for (const env of ['staging', 'preview'] as const) {
    it(`${env} with the same gaps synthesizes, and warns for each`, () => {
      const config: EnvironmentConfig = { ...testConfig(env), senders: [] };
      const built = env === 'preview' ? buildTestApp({ branch: 'feature/x', configs: { preview: config } }) : buildTestApp({ environments: [env], configs: { [env]: config } });
      const stack = stackOf(built, env);
      for (const what of ['WhatsApp number', 'SMS origination identity', 'email sender']) {
        Annotations.fromStack(stack).hasWarning(`/${stack.stackName}`, Match.stringLikeRegexp(`senders in config/${env}.json lists no ${what}`));
      }
    });
  }

  it('a tenant without a channel that others have is warned about, in production too, and stops nothing', () => {
    const globex: Sender[] = [{ tenant: 'globex', channel: 'email', id: 'hello@globex.example', label: 'Globex', default: true }];
    const built = buildTestApp({ environments: ['production'], configs: { production: { ...production, senders: [...globex, ...production.senders] } } });
    const annotations = Annotations.fromStack(stackOf(built, 'production'));
    annotations.hasWarning('/WecareDigital-production', Match.stringLikeRegexp('tenant globex has no WhatsApp number, so every WhatsApp send of the tenant would be refused as not allowlisted'));
    annotations.hasWarning('/WecareDigital-production', Match.stringLikeRegexp('tenant globex has no SMS origination identity'));
    assert.equal(annotations.findWarning('/WecareDigital-production', Match.stringLikeRegexp('tenant wecare has no')).length, 0);
  });

  it('an empty alertEmails in production is a warning: every alarm would reach nobody', () => {
    const annotations = (alertEmails: string[]): Annotations => Annotations.fromStack(stackOf(buildTestApp({ environments: ['production'], configs: { production: { ...production, alertEmails } } }), 'production'));
    annotations([]).hasWarning('/WecareDigital-production', Match.stringLikeRegexp('alertEmails in config/production.json is empty: every alarm .* would reach nobody'));
    annotations(['oncall@wecare.digital']).hasNoWarning('/WecareDigital-production', Match.stringLikeRegexp('alertEmails'));
    // Staging and previews may run without anyone on call.
    Annotations.fromStack(stackOf(buildTestApp({ environments: ['staging'] }), 'staging')).hasNoWarning('/WecareDigital-staging', Match.stringLikeRegexp('alertEmails'));
  });

  it('a DRY_RUN production is said: it sends nothing to customers', () => {
    const stack = stackOf(buildTestApp({ environments: ['production'], configs: { production: { ...production, sendMode: 'DRY_RUN' } } }), 'production');
    Annotations.fromStack(stack).hasWarning('/WecareDigital-production', Match.stringLikeRegexp('sendMode in config/production.json is DRY_RUN'));
  });
});

describe('the zips of make build', () => {
  /** A make-build-like directory with a zip per function (their content does not matter to synthesis). */
  const lambdaDir = (names: readonly string[]): string => {
    const dir = tempDir('lambda-arm64');
    for (const name of names) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'bootstrap.zip'), `zip of ${name}`);
    }
    return dir;
  };

  it('are deployed as built: each function\'s code is its zip, a bootstrap on provided.al2023 for arm64', () => {
    const built = buildTestApp({ branch: 'release/x', prebuiltLambdaDir: lambdaDir(SCHEMA.functions) });
    const t = Template.fromStack(stackOf(built, 'staging'));
    const functions = resourcesOf(t, 'AWS::Lambda::Function');
    assert.equal(functions.length, SCHEMA.functions.length);
    const assets = new Set<string>();
    for (const [, fn] of functions) {
      assert.equal(fn.Properties['Handler'], 'bootstrap');
      assert.equal(fn.Properties['Runtime'], 'provided.al2023');
      assert.deepEqual(fn.Properties['Architectures'], ['arm64']);
      assets.add(JSON.stringify((fn.Properties['Code'] as { S3Key: unknown }).S3Key));
    }
    assert.equal(assets.size, SCHEMA.functions.length, 'one asset per zip');
  });

  it('a missing zip stops synthesis and says to run make build', () => {
    const dir = lambdaDir(SCHEMA.functions.slice(1));
    assert.throws(() => buildTestApp({ branch: 'release/x', prebuiltLambdaDir: dir }), new RegExp(`${SCHEMA.functions[0]}/bootstrap\\.zip does not exist: run \`make build\` first`));
  });
});
