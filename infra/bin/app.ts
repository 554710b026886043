#!/usr/bin/env node
// Why this exists: the CDK entry point and the only place that reads the process environment.
// It builds the one stack of the branch given as `-c branch=<name>` (or BRANCH): main and
// hotfix/* production, release/* staging, feature/* a preview of their own (lib/branches.ts).
// WECARE_SKIP_BUNDLING=1 synthesizes without compiling Rust (tests, cfn-lint, a configuration
// check); WECARE_LAMBDA_DIR=<dir> deploys the zips `make build` left there (CI builds once and
// deploys what it built); with neither, `cdk deploy` builds the functions with cargo-lambda.

import { join, resolve } from 'node:path';
import { buildApp, NoBranchError } from '../lib/app';
import { BranchError } from '../lib/branches';
import { ConfigError } from '../lib/config';
import { ReadinessError } from '../lib/readiness';
import { loadSchema, SchemaError } from '../lib/schema';

const infraDir = resolve(__dirname, '..');
const skipBundling = process.env['WECARE_SKIP_BUNDLING'] === '1';
const lambdaDir = process.env['WECARE_LAMBDA_DIR'];
const branch = process.env['BRANCH'];

/** What an operator can act on is said as it is, without a stack trace. */
const EXPLAINED = [BranchError, NoBranchError, ConfigError, ReadinessError, SchemaError];

try {
  const { app } = buildApp({
    schema: loadSchema(join(infraDir, 'schema.json')),
    configDir: join(infraDir, 'config'),
    functionsDir: join(infraDir, '..', 'functions'),
    // `-c branch=…` (read from the app's context) wins over BRANCH.
    ...(branch === undefined || branch === '' ? {} : { branch }),
    ...(lambdaDir === undefined || lambdaDir === '' ? {} : { prebuiltLambdaDir: resolve(lambdaDir) }),
    // The CLI rejects `-c aws:cdk:bundling-stacks=…`; post-CLI context overrides what it passes.
    appProps: skipBundling ? { postCliContext: { 'aws:cdk:bundling-stacks': [] } } : {},
  });
  app.synth();
} catch (e) {
  if (!EXPLAINED.some((kind) => e instanceof kind)) throw e;
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
