// Why this exists: the CI workflows learn where a branch deploys from the same function the CDK
// app uses (lib/branches.ts), so the table lives in one place. Prints `name=value` lines for
// `$GITHUB_OUTPUT` (environment, stack, prefix, send-mode, preview-id); a branch that deploys
// nowhere, or whose configuration does not load, exits 1 with the reason.
//
//   node --import tsx scripts/environment-for-branch.ts feature/login >> "$GITHUB_OUTPUT"

import { join, resolve } from 'node:path';
import { deploymentForBranch, previewConfig, workflowOutputs } from '../lib/branches';
import { loadConfig } from '../lib/config';

const [branch, ...rest] = process.argv.slice(2);
if (branch === undefined || rest.length > 0) {
  process.stderr.write('usage: environment-for-branch <branch>\n');
  process.exit(2);
}
try {
  const deployment = deploymentForBranch(branch);
  const base = loadConfig(join(resolve(__dirname, '..'), 'config'), deployment.environment);
  const config = deployment.preview === undefined ? base : previewConfig(base, deployment.preview);
  process.stdout.write(workflowOutputs(deployment, config));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
