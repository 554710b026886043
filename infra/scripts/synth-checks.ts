// Why this exists: `npm run synth` (make test-infra) writes a template of every environment into
// cdk.out for cfn-lint, with the same nag checks as a deploy and without compiling Rust. A real
// deploy builds one branch's stack (bin/app.ts, `-c branch=…`), and refuses a production whose
// file lists no sender on a channel or names no alias of the Bedrock agent; until
// config/production.json lists its WhatsApp numbers and its agent alias, the production template
// linted here carries a placeholder of each, and this says so.
//
//   npx cdk synth --app 'node --import tsx scripts/synth-checks.ts'

import { join, resolve } from 'node:path';
import { buildApp } from '../lib/app';
import { ENVIRONMENTS, type EnvironmentConfig, loadConfig, SENDER_CHANNELS, type Sender, sendersOn } from '../lib/config';
import { loadSchema } from '../lib/schema';

const infraDir = resolve(__dirname, '..');
const configDir = join(infraDir, 'config');

/** A placeholder sender of `channel` for `tenant`: an id of the right shape that no account has. */
const PLACEHOLDERS: Readonly<Record<Sender['channel'], (tenant: string) => Sender>> = {
  whatsapp: (tenant) => ({ tenant, channel: 'whatsapp', id: `phone-number-id-${'0'.repeat(32)}`, label: 'placeholder', default: false, wabaId: '0' }),
  sms: (tenant) => ({ tenant, channel: 'sms', id: `pool-${'0'.repeat(32)}`, label: 'placeholder', default: false }),
  email: (tenant) => ({ tenant, channel: 'email', id: 'placeholder@example.com', label: 'placeholder', default: false }),
};

/** A placeholder alias of the Bedrock agent: an id of the right shape that no agent has. */
const PLACEHOLDER_AGENT_ALIAS = 'PLACEHOLDR';

/** Production as checked in, with a placeholder sender on each channel that has none, and an agent alias if it has none. */
function productionForChecks(): EnvironmentConfig {
  let config = loadConfig(configDir, 'production');
  const tenant = config.tenancy.mode === 'single' ? config.tenancy.defaultTenantId : (config.senders[0]?.tenant ?? 'wecare');
  const missing = SENDER_CHANNELS.filter((channel) => sendersOn(config.senders, channel).length === 0);
  if (missing.length > 0) {
    process.stderr.write(
      `synth-checks: config/production.json lists no ${missing.join(', ')} sender; its template is checked with a placeholder, and a deploy of production is refused until the file lists real ones (README, Deploying)\n`,
    );
    config = { ...config, senders: [...missing.map((channel) => PLACEHOLDERS[channel](tenant)), ...config.senders] };
  }
  if (config.existing.bedrockAgentAliasId === null) {
    process.stderr.write(
      'synth-checks: config/production.json names no alias of the Bedrock agent (existing.bedrockAgentAliasId); its template is checked with a placeholder, and a deploy of production is refused until the file names the real one (README, Deploying)\n',
    );
    config = { ...config, existing: { ...config.existing, bedrockAgentAliasId: PLACEHOLDER_AGENT_ALIAS } };
  }
  return config;
}

const { app } = buildApp({
  schema: loadSchema(join(infraDir, 'schema.json')),
  configDir,
  functionsDir: join(infraDir, '..', 'functions'),
  environments: ENVIRONMENTS,
  configs: { production: productionForChecks() },
  // Templates only: no function is compiled.
  appProps: { postCliContext: { 'aws:cdk:bundling-stacks': [] } },
});
app.synth();
