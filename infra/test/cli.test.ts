// The pinned CDK CLI (package.json devDependencies) must read the cloud assembly this
// aws-cdk-lib writes — the registry's `latest` CLI does not — and must do so offline. Through it,
// bin/app.ts builds the one stack of the branch it is given (`-c branch=…` or BRANCH), refuses to
// guess without one, and says why it refuses a branch or a configuration, without a stack trace.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stackName } from '../lib/app';
import { deploymentForBranch } from '../lib/branches';
import { ENVIRONMENTS, loadConfig } from '../lib/config';
import { readinessOf } from '../lib/readiness';
import { buildTestApp, CONFIG_DIR, INFRA_DIR, tempDir } from './helpers';

const CDK = join(INFRA_DIR, 'node_modules', '.bin', 'cdk');
const pkg = JSON.parse(readFileSync(join(INFRA_DIR, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('CDK CLI', () => {
  it('every dependency is pinned to an exact version', () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not pinned`);
    }
  });

  it('the installed CLI is the pinned one', () => {
    const out = execFileSync(CDK, ['--version'], { encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
    assert.match(out, new RegExp(`^${(pkg.devDependencies['aws-cdk'] ?? '').replace(/\./g, '\\.')}\\b`));
  });

  it('reads the cloud assembly of this aws-cdk-lib, offline', () => {
    const { app } = buildTestApp();
    const assembly = app.synth();
    const out = execFileSync(CDK, ['ls', '--app', assembly.directory, '--no-notices', '--no-version-reporting'], {
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      cwd: INFRA_DIR,
    });
    assert.deepEqual(out.trim().split('\n').sort(), ENVIRONMENTS.map(stackName).sort());
  });
});

describe('cdk synth through bin/app.ts', () => {
  interface Synth {
    readonly status: number | null;
    readonly stderr: string;
    readonly templates: string[];
  }
  /** `cdk synth` of the app in cdk.json without building Rust, into a directory of its own. */
  const synth = (args: readonly string[], env: Record<string, string> = {}): Promise<Synth> =>
    new Promise((resolve) => {
      const outdir = tempDir('cli-synth');
      const child = spawn(CDK, ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir, ...args], {
        cwd: INFRA_DIR,
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', WECARE_SKIP_BUNDLING: '1', BRANCH: '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (status) => {
        const templates = status === 0 ? readdirSync(outdir).filter((f) => f.endsWith('.template.json')) : [];
        resolve({ status, stderr, templates });
      });
    });

  // Started together: each is mostly a Node start and a synthesis of one stack.
  const runs = {
    feature: synth(['-c', 'branch=feature/cli-check']),
    release: synth([], { BRANCH: 'release/cli-check' }),
    none: synth([]),
    develop: synth(['-c', 'branch=develop']),
    main: synth(['-c', 'branch=main']),
  };

  it('-c branch=feature/… synthesizes that branch\'s preview and nothing else', async () => {
    const { status, stderr, templates } = await runs.feature;
    assert.equal(status, 0, stderr);
    assert.deepEqual(templates, [`${deploymentForBranch('feature/cli-check').stackName}.template.json`]);
  });

  it('BRANCH does the same when no -c branch is given', async () => {
    const { status, stderr, templates } = await runs.release;
    assert.equal(status, 0, stderr);
    assert.deepEqual(templates, ['WecareDigital-staging.template.json']);
  });

  it('without a branch it says which to give, and builds nothing', async () => {
    const { status, stderr } = await runs.none;
    assert.equal(status, 1);
    assert.match(stderr, /say which branch to deploy: -c branch=main \(production\)/);
    assert.doesNotMatch(stderr, /    at /, 'no stack trace');
  });

  it('a branch outside the table is refused with the table', async () => {
    const { status, stderr } = await runs.develop;
    assert.equal(status, 1);
    assert.match(stderr, /branch "develop" deploys nowhere\. Branches that deploy: main and hotfix/);
  });

  it('main synthesizes production only once config/production.json switches no channel off, and otherwise says what to add', async () => {
    const { errors } = readinessOf(loadConfig(CONFIG_DIR, 'production'));
    const { status, stderr, templates } = await runs.main;
    if (errors.length === 0) {
      assert.equal(status, 0, stderr);
      assert.deepEqual(templates, ['WecareDigital-production.template.json']);
    } else {
      assert.equal(status, 1);
      assert.match(stderr, /config\/production\.json cannot deploy production/);
      for (const error of errors) assert.ok(stderr.includes(error.message), error.message);
      assert.doesNotMatch(stderr, /    at /, 'no stack trace');
    }
  });
});
