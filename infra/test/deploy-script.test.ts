// infra/scripts/deploy.sh, what the deploy workflow and an operator run, end to end without AWS:
// `npx`, `npm` and `aws` are stand-ins on PATH that record what they are asked (the CDK stand-in
// writes the outputs file a deploy writes), and the "deployed" console is a local server serving
// what the script published. The branch table, the zips, the outputs, config.json, the upload,
// the invalidation and the smoke check are the script's own.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deploymentForBranch } from '../lib/branches';
import { INFRA_DIR, tempDir } from './helpers';

const SCRIPT = join(INFRA_DIR, 'scripts', 'deploy.sh');

const CONSOLE_CONFIG = { apiBase: '/api', region: 'us-east-1', cognitoEndpoint: 'https://cognito-idp.us-east-1.amazonaws.com/', userPoolId: 'us-east-1_CC9u1fYh6', userPoolClientId: 'client123' };

/** Stand-ins for the tools that would reach AWS or the registry, each logging its arguments. */
function standIns(dir: string, consoleUrl: string): { bin: string; log: string } {
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  mkdirSync(bin);
  // What `cdk deploy --outputs-file` writes, for whichever stack it is asked to deploy.
  const outputs = join(dir, 'outputs.template.json');
  writeFileSync(outputs, JSON.stringify({ __STACK__: { ConsoleUrl: consoleUrl, ConsoleBucketName: 'console-bucket', DistributionId: 'E123', ConsoleConfig: JSON.stringify(CONSOLE_CONFIG) } }));
  const tool = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\nset -euo pipefail\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // npx cdk deploy <stack> … --outputs-file <file>: records the zips it was given, writes the outputs.
  tool(
    'npx',
    `[ "$1 $2" = "cdk deploy" ] || { echo "unexpected npx $*" >&2; exit 9; }
echo "WECARE_LAMBDA_DIR=$WECARE_LAMBDA_DIR" >> "${log}"
file=""; prev=""; for a in "$@"; do [ "$prev" = "--outputs-file" ] && file="$a"; prev="$a"; done
sed "s/__STACK__/$3/" "${outputs}" > "$file"`,
  );
  tool('npm', 'if [ "$1" = run ] && [ "$2" = build ]; then mkdir -p dist && echo "<!doctype html>" > dist/index.html; fi');
  tool('aws', 'true');
  return { bin, log };
}

describe('infra/scripts/deploy.sh', () => {
  let server: Server;
  let consoleUrl = '';
  /** The directory the script publishes the console from: what the local "CloudFront" serves. */
  const frontend = tempDir('frontend');
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/api/health') return void res.writeHead(200).end('{"status":"ok"}');
      const file = join(frontend, 'dist', req.url === '/' ? 'index.html' : (req.url ?? ''));
      if (!existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'application/json' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    consoleUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const run = (branch: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn('bash', [SCRIPT, branch], { env: { ...process.env, FRONTEND_DIR: frontend, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('deploys the branch\'s stack with the built zips, publishes the console with the stack\'s config.json, and smoke-checks it', async () => {
    const dir = tempDir('deploy-script');
    const { bin, log } = standIns(dir, consoleUrl);
    const zips = join(dir, 'lambda-arm64');
    mkdirSync(zips);
    const githubOutput = join(dir, 'github-output');
    writeFileSync(githubOutput, '');
    const branch = 'feature/deploy-script';
    const { stackName } = deploymentForBranch(branch);

    const result = await run(branch, { PATH: `${bin}:${process.env['PATH']}`, WECARE_LAMBDA_DIR: zips, REQUIRE_APPROVAL: 'never', GITHUB_OUTPUT: githubOutput });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);

    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const deploy = calls.find((c) => c.startsWith('npx cdk deploy')) ?? '';
    assert.match(deploy, new RegExp(`^npx cdk deploy ${stackName} -c branch=${branch} --require-approval never .*--outputs-file \\S+`));
    assert.ok(calls.includes(`WECARE_LAMBDA_DIR=${zips}`), 'the zips of make build');
    assert.deepEqual(JSON.parse(readFileSync(join(frontend, 'dist', 'config.json'), 'utf8')), CONSOLE_CONFIG);
    assert.ok(calls.includes('npm run build'));
    assert.ok(calls.includes('aws s3 sync dist s3://console-bucket --delete'), calls.join('\n'));
    assert.ok(calls.includes('aws cloudfront create-invalidation --distribution-id E123 --paths /*'), calls.join('\n'));
    assert.ok(calls.indexOf('aws s3 sync dist s3://console-bucket --delete') > calls.findIndex((c) => c.startsWith('npx cdk deploy')), 'published after the deploy');
    assert.match(result.stdout, new RegExp(`${consoleUrl.replace(/[.]/g, '\\.')}/api/health ok`));
    assert.match(result.stdout, new RegExp(`${stackName} is up: ${consoleUrl.replace(/[.]/g, '\\.')}`));
    assert.equal(readFileSync(githubOutput, 'utf8'), `console-url=${consoleUrl}\n`);
  });

  it('a branch outside the table deploys nothing', async () => {
    const dir = tempDir('deploy-script');
    const { bin, log } = standIns(dir, consoleUrl);
    const result = await run('develop', { PATH: `${bin}:${process.env['PATH']}`, WECARE_LAMBDA_DIR: dir });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /branch "develop" deploys nowhere/);
    assert.ok(!existsSync(log) || !readFileSync(log, 'utf8').includes('cdk deploy'));
  });

  it('without the zips of make build it says to run it, and deploys nothing', async () => {
    const dir = tempDir('deploy-script');
    const { bin, log } = standIns(dir, consoleUrl);
    const result = await run('release/x', { PATH: `${bin}:${process.env['PATH']}`, WECARE_LAMBDA_DIR: join(dir, 'nothing-built') });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no functions built in .*nothing-built: run 'make build' first/);
    assert.ok(!existsSync(log) || !readFileSync(log, 'utf8').includes('cdk deploy'));
  });

  it('fails the deploy when the deployed environment does not answer its health route', async () => {
    const dir = tempDir('deploy-script');
    // A console URL where nothing listens.
    const { bin } = standIns(dir, 'http://127.0.0.1:9');
    const zips = join(dir, 'zips');
    mkdirSync(zips);
    const result = await run('release/x', { PATH: `${bin}:${process.env['PATH']}`, WECARE_LAMBDA_DIR: zips, SMOKE_ATTEMPTS: '2', SMOKE_DELAY_SECONDS: '0' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /smoke check failed: http:\/\/127\.0\.0\.1:9\/api\/health could not be fetched .*\(after 2 tries\)/);
    assert.doesNotMatch(result.stdout, /is up/);
  });
});
