#!/usr/bin/env node
// Why this exists: the CDK entry point and the only place that reads the process environment.
// WECARE_SKIP_BUNDLING=1 synthesizes without compiling Rust (tests, cfn-lint, CI); without it,
// `cdk deploy WecareDigital-<env>` builds the functions with cargo-lambda for that stack only.

import { join, resolve } from 'node:path';
import { buildApp } from '../lib/app';
import { loadSchema } from '../lib/schema';

const infraDir = resolve(__dirname, '..');
const skipBundling = process.env['WECARE_SKIP_BUNDLING'] === '1';

const { app } = buildApp({
  schema: loadSchema(join(infraDir, 'schema.json')),
  configDir: join(infraDir, 'config'),
  functionsDir: join(infraDir, '..', 'functions'),
  // The CLI rejects `-c aws:cdk:bundling-stacks=…`; post-CLI context overrides what it passes.
  appProps: skipBundling ? { postCliContext: { 'aws:cdk:bundling-stacks': [] } } : {},
});
app.synth();
