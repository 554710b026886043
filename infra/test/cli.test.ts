// The pinned CDK CLI (package.json devDependencies) must read the cloud assembly this
// aws-cdk-lib writes — the registry's `latest` CLI does not — and must do so offline.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stackName } from '../lib/app';
import { ENVIRONMENTS } from '../lib/config';
import { buildTestApp, INFRA_DIR } from './helpers';

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
