// Which branch deploys where (lib/branches.ts): every row of the specification's table, the
// branches refused, the preview id and prefix of a feature branch — unique per branch, within the
// resource-prefix pattern, and short enough that every physical name of the longest preview keeps
// to its service's limits — and what the CI workflows are told, by the script they call.

import { Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BranchError,
  deploymentForBranch,
  PREVIEW_HASH_LENGTH,
  PREVIEW_PREFIX_START,
  PREVIEW_SLUG_LENGTH,
  previewConfig,
  previewOf,
  workflowOutputs,
} from '../lib/branches';
import { loadConfig, MAX_RESOURCE_PREFIX_LENGTH, parseConfig, type EnvironmentConfig } from '../lib/config';
import { buildTestApp, CONFIG_DIR, INFRA_DIR, type Resource, resourcesOf, SCHEMA } from './helpers';

/** What config.ts accepts as a resource prefix, read back through the loader. */
const prefixAccepted = (prefix: string): boolean => {
  const raw = { ...(JSON.parse(JSON.stringify(loadConfig(CONFIG_DIR, 'preview'))) as Record<string, unknown>), resourcePrefix: prefix };
  try {
    parseConfig(raw, 'p.json', 'preview');
    return true;
  } catch {
    return false;
  }
};

describe('the branch table', () => {
  for (const [branch, environment, sendMode, stack] of [
    ['main', 'production', 'LIVE', 'WecareDigital-production'],
    ['hotfix/login-crash', 'production', 'LIVE', 'WecareDigital-production'],
    ['hotfix/2026.12/tier', 'production', 'LIVE', 'WecareDigital-production'],
    ['release/2026.12', 'staging', 'DRY_RUN', 'WecareDigital-staging'],
    ['release/v1', 'staging', 'DRY_RUN', 'WecareDigital-staging'],
  ] as const) {
    it(`${branch} deploys ${environment} (${sendMode}) as ${stack}`, () => {
      const deployment = deploymentForBranch(branch);
      assert.equal(deployment.branch, branch);
      assert.equal(deployment.environment, environment);
      assert.equal(deployment.sendMode, sendMode);
      assert.equal(deployment.stackName, stack);
      assert.equal(deployment.preview, undefined);
    });
  }

  it('a feature branch deploys a preview of its own, DRY_RUN, in a stack named after it', () => {
    const deployment = deploymentForBranch('feature/bulk-pause');
    assert.equal(deployment.environment, 'preview');
    assert.equal(deployment.sendMode, 'DRY_RUN');
    assert.match(deployment.preview?.id ?? '', new RegExp(`^bulk-pause-[0-9a-f]{${PREVIEW_HASH_LENGTH}}$`));
    assert.equal(deployment.preview?.resourcePrefix, `wecare-pv-${deployment.preview?.id}-`);
    assert.equal(deployment.stackName, `WecareDigital-preview-${deployment.preview?.id}`);
  });

  it('takes the full ref GitHub gives as well as the short name', () => {
    assert.deepEqual(deploymentForBranch('refs/heads/main'), deploymentForBranch('main'));
    assert.deepEqual(deploymentForBranch('refs/heads/feature/x'), deploymentForBranch('feature/x'));
  });

  it('nothing but production is ever LIVE, whatever the branch', () => {
    for (const branch of ['main', 'hotfix/a', 'release/a', 'feature/a', 'feature/main', 'release/main', 'feature/hotfix/a']) {
      const deployment = deploymentForBranch(branch);
      assert.equal(deployment.sendMode === 'LIVE', deployment.environment === 'production', branch);
    }
    assert.equal(deploymentForBranch('feature/hotfix/a').environment, 'preview', 'the first segment decides');
  });

  for (const [branch, why] of [
    ['develop', /deploys nowhere/],
    ['Main', /deploys nowhere/],
    ['main2', /deploys nowhere/],
    ['master', /deploys nowhere/],
    ['features/x', /deploys nowhere/],
    ['Feature/x', /deploys nowhere/],
    ['hotfix', /deploys nowhere/],
    ['feature', /deploys nowhere/],
    ['feature/', /not a valid git branch name/],
    ['release//x', /not a valid git branch name/],
    ['feature/.hidden', /not a valid git branch name/],
    ['feature/x.lock', /not a valid git branch name/],
    ['feature/a..b', /not a valid git branch name/],
    ['feature/x.', /not a valid git branch name/],
    ['feature/with space', /characters other than/],
    ['feature/$(curl evil)', /characters other than/],
    ['feature/naïve', /characters other than/],
    ['feature/a;b', /characters other than/],
    ['', /is empty/],
    [`feature/${'x'.repeat(240)}`, /longer than 244 characters/],
  ] as const) {
    it(`refuses ${JSON.stringify(branch.length > 40 ? `${branch.slice(0, 20)}…` : branch)}`, () => {
      assert.throws(() => deploymentForBranch(branch), (e: unknown) => {
        assert.ok(e instanceof BranchError);
        assert.match(e.message, why);
        assert.match(e.message, /main and hotfix\/\* \(production, LIVE\), release\/\* \(staging, DRY_RUN\), feature\/\* \(a preview per branch, DRY_RUN\)/);
        return true;
      });
    });
  }
});

describe('a preview\'s id and resource prefix', () => {
  const ODD = [
    'feature/x',
    'feature/ABC',
    'feature/abc',
    'feature/JIRA-1234_Login.Page',
    'feature/jira-1234-login-page',
    'feature/___',
    'feature/1-starts-with-a-digit',
    'feature/a/b/c',
    'feature/--dashes--',
    `feature/${'very-long-branch-name-'.repeat(8)}`,
    `feature/${'very-long-branch-name-'.repeat(8)}2`,
    'feature/x.y',
    'feature/x_y',
  ];

  it(`keeps at most ${PREVIEW_SLUG_LENGTH} characters of the branch, lower case, with a ${PREVIEW_HASH_LENGTH}-digit hash of the whole name`, () => {
    assert.equal(previewOf('feature/JIRA-1234_Login.Page').id.replace(/-[0-9a-f]{8}$/, ''), 'jira-1234-lo');
    assert.equal(previewOf('feature/Bulk_Pause').id.replace(/-[0-9a-f]{8}$/, ''), 'bulk-pause');
    assert.equal(previewOf('feature/a/b/c').id.replace(/-[0-9a-f]{8}$/, ''), 'a-b-c');
    // A slug that would end in "-" after the cut loses it: no "--" before the hash.
    assert.equal(previewOf('feature/abcdefghijk-lmn').id.replace(/-[0-9a-f]{8}$/, ''), 'abcdefghijk');
    // Nothing left of the name: the hash alone.
    assert.match(previewOf('feature/___').id, /^[0-9a-f]{8}$/);
    // The same branch, the same preview (a redeploy updates it).
    assert.deepEqual(previewOf('feature/x'), previewOf('feature/x'));
  });

  it('branches whose names fold or shorten to the same slug still get previews of their own', () => {
    const ids = ODD.map((b) => previewOf(b).id);
    assert.equal(new Set(ids).size, ODD.length, ids.join(', '));
    assert.notEqual(previewOf('feature/ABC').resourcePrefix, previewOf('feature/abc').resourcePrefix);
    assert.notEqual(deploymentForBranch('feature/JIRA-1234_Login.Page').stackName, deploymentForBranch('feature/jira-1234-login-page').stackName);
  });

  for (const branch of ODD) {
    it(`${JSON.stringify(branch.length > 40 ? `${branch.slice(0, 30)}…` : branch)}: a prefix the configuration accepts, a DNS label and a stack name CloudFormation takes`, () => {
      const { id, resourcePrefix } = previewOf(branch);
      assert.ok(resourcePrefix.length <= MAX_RESOURCE_PREFIX_LENGTH, `${resourcePrefix} is ${resourcePrefix.length} characters`);
      assert.ok(resourcePrefix.startsWith(PREVIEW_PREFIX_START));
      assert.ok(prefixAccepted(resourcePrefix), resourcePrefix);
      assert.match(resourcePrefix, /^[a-z][a-z0-9-]*-$/);
      assert.doesNotMatch(resourcePrefix, /--/);
      // The preview's host name under a domain: one DNS label.
      assert.match(id, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
      const { stackName } = deploymentForBranch(branch);
      assert.match(stackName, /^[A-Za-z][A-Za-z0-9-]{0,127}$/);
    });
  }

  it(`a long branch name gives a prefix of exactly ${MAX_RESOURCE_PREFIX_LENGTH} characters, the most config.ts accepts`, () => {
    const { resourcePrefix } = previewOf(`feature/${'x'.repeat(100)}`);
    assert.equal(resourcePrefix.length, MAX_RESOURCE_PREFIX_LENGTH);
    assert.ok(prefixAccepted(resourcePrefix));
    assert.ok(!prefixAccepted(`${resourcePrefix.slice(0, -1)}x-`), 'one character more is refused');
  });

  it('a preview is preview.json under its own prefix, log group and host name', () => {
    const base: EnvironmentConfig = {
      ...loadConfig(CONFIG_DIR, 'preview'),
      domain: { name: 'preview.wecare.digital', certificateArn: `arn:aws:acm:us-east-1:809904170947:certificate/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}` },
    };
    const preview = previewOf('feature/inbox');
    const config = previewConfig(base, preview);
    assert.equal(config.environment, 'preview');
    assert.equal(config.sendMode, 'DRY_RUN');
    assert.equal(config.resourcePrefix, preview.resourcePrefix);
    assert.equal(config.logGroupName, `/base-wecare-digital/preview/common/${preview.id}`);
    assert.equal(config.domain?.name, `${preview.id}.preview.wecare.digital`);
    assert.equal(config.domain?.certificateArn, base.domain?.certificateArn);
    assert.equal(previewConfig(loadConfig(CONFIG_DIR, 'preview'), preview).domain, null);
    assert.throws(() => previewConfig(loadConfig(CONFIG_DIR, 'staging'), preview), /built from the preview configuration/);
  });
});

/** The limits of each physical name the stack sets: its property, its longest length and its characters. */
const NAME_RULES: readonly { type: string; property: string; max: number; chars: RegExp }[] = [
  { type: 'AWS::DynamoDB::Table', property: 'TableName', max: 255, chars: /^[A-Za-z0-9_.-]{3,}$/ },
  { type: 'AWS::SQS::Queue', property: 'QueueName', max: 80, chars: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::Lambda::Function', property: 'FunctionName', max: 64, chars: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::CloudFront::Function', property: 'Name', max: 64, chars: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::SNS::Topic', property: 'TopicName', max: 256, chars: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::CloudWatch::Alarm', property: 'AlarmName', max: 255, chars: /^[\x20-\x7e]+$/ },
  { type: 'AWS::CloudWatch::Dashboard', property: 'DashboardName', max: 255, chars: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::Events::Rule', property: 'Name', max: 64, chars: /^[A-Za-z0-9._-]+$/ },
  { type: 'AWS::Cognito::UserPoolClient', property: 'ClientName', max: 128, chars: /^[\w\s+=,.@-]+$/ },
  { type: 'AWS::ApiGatewayV2::Api', property: 'Name', max: 128, chars: /^[\x20-\x7e]+$/ },
  { type: 'AWS::ApiGatewayV2::Authorizer', property: 'Name', max: 128, chars: /^[\x20-\x7e]+$/ },
  { type: 'AWS::Logs::LogGroup', property: 'LogGroupName', max: 512, chars: /^[A-Za-z0-9._/#-]+$/ },
];

describe('the longest preview', () => {
  // The longest prefix, with a WhatsApp number so that the template refresh rule (whose name is
  // one of the longest) exists too.
  const branch = `feature/${'n'.repeat(200)}`;
  const base = loadConfig(CONFIG_DIR, 'preview');
  const withWhatsApp: EnvironmentConfig = {
    ...base,
    senders: [{ tenant: 'wecare', channel: 'whatsapp', id: `phone-number-id-${'a'.repeat(32)}`, label: '+91 93309 94400', default: true, wabaId: '1347766229904230' }, ...base.senders],
  };
  const { stacks } = buildTestApp({ branch, configs: { preview: withWhatsApp } });
  const stack = stacks.get('preview');
  assert.ok(stack);
  const t = Template.fromStack(stack);
  const prefix = deploymentForBranch(branch).preview?.resourcePrefix ?? '';

  it(`is the stack ${deploymentForBranch(branch).stackName}, every physical name under a prefix of ${MAX_RESOURCE_PREFIX_LENGTH} characters`, () => {
    assert.equal(stack.stackName, deploymentForBranch(branch).stackName);
    assert.equal(prefix.length, MAX_RESOURCE_PREFIX_LENGTH);
  });

  for (const rule of NAME_RULES) {
    it(`every ${rule.type} ${rule.property} keeps to ${rule.max} characters and the characters allowed`, () => {
      const names = resourcesOf(t, rule.type).map(([, r]: [string, Resource]) => r.Properties[rule.property]).filter((n): n is string => typeof n === 'string');
      assert.ok(names.length > 0, `the preview has a named ${rule.type}`);
      for (const name of names) {
        assert.ok(name.length <= rule.max, `${name} is ${name.length} characters, beyond ${rule.max}`);
        assert.match(name, rule.chars);
        if (rule.type !== 'AWS::Logs::LogGroup') assert.ok(name.startsWith(prefix), `${name} starts with ${prefix}`);
      }
    });
  }

  it('the longest function names of schema.json fit, with room to spare for the functions to come', () => {
    const longest = Math.max(...SCHEMA.functions.map((f) => f.length), 'whatsapp-template-refresh'.length, 'spa-fallback'.length);
    assert.ok(prefix.length + longest <= 64, `${prefix.length} + ${longest}`);
  });
});

describe('what the CI workflows are told', () => {
  const SCRIPT = join(INFRA_DIR, 'scripts', 'environment-for-branch.ts');
  const run = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: INFRA_DIR, encoding: 'utf8' });

  it('production: its stack, prefix and send mode as GITHUB_OUTPUT lines', () => {
    const production = loadConfig(CONFIG_DIR, 'production');
    assert.equal(
      workflowOutputs(deploymentForBranch('main'), production),
      `environment=production\nstack=WecareDigital-production\nprefix=${production.resourcePrefix}\nsend-mode=LIVE\npreview-id=\n`,
    );
  });

  it('the checked-in environments deploy with the send mode of their branch', () => {
    for (const branch of ['main', 'hotfix/x', 'release/x', 'feature/x']) {
      const deployment = deploymentForBranch(branch);
      assert.equal(loadConfig(CONFIG_DIR, deployment.environment).sendMode, deployment.sendMode, branch);
    }
  });

  it('the script prints a feature branch\'s preview, exactly as the function says', () => {
    const result = run('feature/Login-Page');
    assert.equal(result.status, 0, String(result.stderr));
    const deployment = deploymentForBranch('feature/Login-Page');
    assert.equal(result.stdout, workflowOutputs(deployment, previewConfig(loadConfig(CONFIG_DIR, 'preview'), deployment.preview ?? previewOf('feature/Login-Page'))));
    assert.match(String(result.stdout), new RegExp(`^environment=preview\nstack=WecareDigital-preview-login-page-[0-9a-f]{8}\nprefix=wecare-pv-login-page-[0-9a-f]{8}-\nsend-mode=DRY_RUN\npreview-id=login-page-[0-9a-f]{8}\n$`));
  });

  it('the script refuses a branch that deploys nowhere, with the table, and prints nothing for GITHUB_OUTPUT', () => {
    const result = run('develop');
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(String(result.stderr), /branch "develop" deploys nowhere\. Branches that deploy: main and hotfix\/\*/);
    assert.equal(run().status, 2, 'no branch: usage');
  });

  it('release branches get staging\'s own prefix from its file', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, 'release/2026.12'], { cwd: INFRA_DIR, encoding: 'utf8' });
    assert.equal(out, `environment=staging\nstack=WecareDigital-staging\nprefix=${loadConfig(CONFIG_DIR, 'staging').resourcePrefix}\nsend-mode=DRY_RUN\npreview-id=\n`);
  });
});
