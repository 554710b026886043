// Shared set-up of the infra tests: build the app exactly as bin/app.ts does, but with the Rust
// bundling skipped, cdk.json's feature flags applied (the CLI would pass them) and a throw-away
// output directory, so no test compiles Rust, touches the network or writes into cdk.out.
// Production is built from its checked-in file completed with a test WhatsApp number where a
// tenant has none, and a test alias of the Bedrock agent while it names none: synthesis refuses a
// production that switches a channel or the AI assistant off, and the real ids are filled in by
// whoever deploys (README, Deploying).

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp, type BuildAppOptions } from '../lib/app';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvironmentName, loadConfig, type Sender } from '../lib/config';
import { loadSchema, type Schema } from '../lib/schema';
import type { WecareStack } from '../lib/wecare-stack';

export const INFRA_DIR = resolve(__dirname, '..');
export const CONFIG_DIR = join(INFRA_DIR, 'config');
export const FUNCTIONS_DIR = join(INFRA_DIR, '..', 'functions');
export const SCHEMA: Schema = loadSchema(join(INFRA_DIR, 'schema.json'));

/** The context `cdk` passes from cdk.json (feature flags), so tests synthesize what the CLI does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(INFRA_DIR, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `wecare-infra-${prefix}-`));
  created.push(dir);
  return dir;
}

/** The WhatsApp number a test production gets while config/production.json lists none. */
export const TEST_WHATSAPP_ID = `phone-number-id-${'f'.repeat(32)}`;

/** The alias of the Bedrock agent a test production gets while config/production.json names none. */
export const TEST_AGENT_ALIAS_ID = 'TESTALIAS0';

/** `config` with the test alias of the Bedrock agent if it names none (see `testConfig`). */
export function withAgentAlias(config: EnvironmentConfig): EnvironmentConfig {
  if (config.existing.bedrockAgentAliasId !== null) return config;
  return { ...config, existing: { ...config.existing, bedrockAgentAliasId: TEST_AGENT_ALIAS_ID } };
}

/**
 * The checked-in configuration of `env`; production with a test WhatsApp number (not its
 * tenant's default) while the file lists none, and a test alias of the agent while it names none,
 * so that it synthesizes.
 */
export function testConfig(env: EnvironmentName): EnvironmentConfig {
  let config = loadConfig(CONFIG_DIR, env);
  if (env !== 'production') return config;
  if (!config.senders.some((s) => s.channel === 'whatsapp')) {
    const tenant = config.tenancy.mode === 'single' ? config.tenancy.defaultTenantId : (config.senders[0]?.tenant ?? 'wecare');
    const number: Sender = { tenant, channel: 'whatsapp', id: TEST_WHATSAPP_ID, label: '+91 00000 00000', default: false, wabaId: '1347766229904230' };
    config = { ...config, senders: [number, ...config.senders] };
  }
  return withAgentAlias(config);
}

export const TEST_CONFIGS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  production: testConfig('production'),
  staging: testConfig('staging'),
  preview: testConfig('preview'),
};

export type TestAppOptions = Partial<Omit<BuildAppOptions, 'appProps'>> & { readonly outdir?: string; readonly context?: Record<string, unknown> };

/**
 * Builds the app without bundling, every environment from TEST_CONFIGS unless told otherwise;
 * nag is off unless asked for (test/nag.test.ts asks).
 */
export function buildTestApp(options: TestAppOptions = {}): { app: App; stacks: Map<EnvironmentName, WecareStack>; outdir: string } {
  const outdir = options.outdir ?? tempDir('cdk-out');
  const { context, ...rest } = options;
  const { app, stacks } = buildApp({
    schema: SCHEMA,
    configDir: CONFIG_DIR,
    functionsDir: FUNCTIONS_DIR,
    nag: false,
    environments: ENVIRONMENTS,
    ...rest,
    configs: { ...TEST_CONFIGS, ...options.configs },
    appProps: { outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } },
  });
  return { app, stacks, outdir };
}

export function templateOf(stacks: Map<EnvironmentName, WecareStack>, environment: EnvironmentName): Template {
  const stack = stacks.get(environment);
  if (!stack) throw new Error(`no ${environment} stack was built`);
  return Template.fromStack(stack);
}

export type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

/** Resources of `type` as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** The logical id of the one resource of `type` whose properties satisfy `predicate`. */
export function logicalIdOf(template: Template, type: string, predicate: (props: Record<string, unknown>) => boolean, what: string): string {
  const matches = resourcesOf(template, type).filter(([, r]) => predicate(r.Properties));
  if (matches.length !== 1) throw new Error(`expected one ${type} for ${what}, found ${matches.length}`);
  return (matches[0] as [string, Resource])[0];
}
