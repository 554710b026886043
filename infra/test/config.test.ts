// The checked-in environment files and schema.json are read strictly: only production may be
// LIVE (in the config loader and again in the stack), and a malformed schema or config fails
// synthesis with a message that names the problem.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  bedrockModelOf,
  BULK_WORKER_CONCURRENCY,
  ConfigError,
  ENVIRONMENTS,
  type EnvironmentConfig,
  loadConfig,
  parseConfig,
  sendersVariable,
  TEMPLATE_CATALOGUE_MAX_AGE_MINUTES,
  TEST_AGENT_ALIAS_ID,
} from '../lib/config';
import { parseSchema, SchemaError } from '../lib/schema';
import { buildTestApp, CONFIG_DIR, INFRA_DIR, SCHEMA } from './helpers';

const rawConfig = (env: string): Record<string, unknown> => JSON.parse(readFileSync(join(CONFIG_DIR, `${env}.json`), 'utf8')) as Record<string, unknown>;

describe('environment configuration', () => {
  it('every checked-in config is valid and names its own environment', () => {
    for (const env of ENVIRONMENTS) assert.equal(loadConfig(CONFIG_DIR, env).environment, env);
  });

  it('preview and staging are checked in as DRY_RUN, production as LIVE', () => {
    assert.equal(loadConfig(CONFIG_DIR, 'preview').sendMode, 'DRY_RUN');
    assert.equal(loadConfig(CONFIG_DIR, 'staging').sendMode, 'DRY_RUN');
    assert.equal(loadConfig(CONFIG_DIR, 'production').sendMode, 'LIVE');
  });

  for (const env of ['staging', 'preview'] as const) {
    it(`a ${env} config set to LIVE is refused`, () => {
      assert.throws(() => parseConfig({ ...rawConfig(env), sendMode: 'LIVE' }, `${env}.json`, env), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, new RegExp(`sendMode LIVE is not allowed in ${env}`));
        return true;
      });
    });

    it(`a ${env} stack handed a LIVE config by other means still refuses to synthesize`, () => {
      const forged: EnvironmentConfig = { ...loadConfig(CONFIG_DIR, env), sendMode: 'LIVE' };
      assert.throws(() => buildTestApp({ environments: [env], configs: { [env]: forged } }), /sendMode LIVE is not allowed/);
    });
  }

  it('names every problem of a bad file at once', () => {
    const bad = { ...rawConfig('production'), account: '123', logRetentionDays: 7, colour: 'blue' };
    assert.throws(() => parseConfig(bad, 'bad.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /account must be/);
      assert.match(e.message, /logRetentionDays must be one of 30/);
      assert.match(e.message, /colour is not a known setting/);
      return true;
    });
  });

  it('refuses a file whose environment differs from its name', () => {
    assert.throws(() => parseConfig(rawConfig('staging'), 'production.json', 'production'), /environment is staging but the file is for production/);
  });

  it('refuses a WAF outside us-east-1 and malformed existing resource ids', () => {
    assert.throws(() => parseConfig({ ...rawConfig('production'), region: 'ap-south-1' }, 'p.json'), /webApplicationFirewall needs region us-east-1/);
    const existing = { ...(rawConfig('production')['existing'] as Record<string, unknown>), mediaBucketName: 'Media Bucket' };
    assert.throws(() => parseConfig({ ...rawConfig('production'), existing }, 'p.json'), /existing\.mediaBucketName must be a string/);
  });

  it('refuses the settings the senders replaced, so an old file cannot deploy half-understood', () => {
    const raw = rawConfig('production');
    const old = {
      ...raw,
      defaultTenantId: 'wecare',
      whatsAppNumberTenants: {},
      existing: { ...(raw['existing'] as Record<string, unknown>), smsPoolId: `pool-${'a'.repeat(32)}`, sesSender: 'one@wecare.digital', whatsAppPhoneNumberIds: [] },
    };
    assert.throws(() => parseConfig(old, 'p.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (const key of ['defaultTenantId', 'whatsAppNumberTenants', 'existing.smsPoolId', 'existing.sesSender', 'existing.whatsAppPhoneNumberIds']) {
        assert.match(e.message, new RegExp(`${key.replace('.', '\\.')} is not a known setting`), key);
      }
      return true;
    });
  });
});

describe('the WhatsApp messaging tier', () => {
  it('every checked-in environment allows tier 1: 250 business-initiated conversations per WhatsApp Business Account in 24 h', () => {
    for (const env of ENVIRONMENTS) assert.equal(loadConfig(CONFIG_DIR, env).whatsAppTierLimit, 250, env);
  });

  it('takes any positive whole number, such as a higher tier', () => {
    assert.equal(parseConfig({ ...rawConfig('production'), whatsAppTierLimit: 10000 }, 'p.json').whatsAppTierLimit, 10000);
  });

  for (const bad of [0, -250, 2.5, '250', null, true, Number.MAX_SAFE_INTEGER + 1]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseConfig({ ...rawConfig('staging'), whatsAppTierLimit: bad }, 's.json'), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /whatsAppTierLimit must be a positive whole number/);
        return true;
      });
    });
  }

  it('is required', () => {
    const { whatsAppTierLimit: _, ...missing } = rawConfig('preview');
    assert.throws(() => parseConfig(missing, 'p.json'), /whatsAppTierLimit must be a positive whole number \(got undefined\)/);
  });
});

describe('the WhatsApp template catalogue\'s age', () => {
  it('every checked-in environment lets a catalogue grow an hour old before the schedule syncs it', () => {
    for (const env of ENVIRONMENTS) assert.equal(loadConfig(CONFIG_DIR, env).whatsAppTemplateCatalogueMaxAgeMinutes, 60, env);
  });

  it('takes any whole number of minutes from 5 to 10080 (a week)', () => {
    assert.deepEqual(TEMPLATE_CATALOGUE_MAX_AGE_MINUTES, { min: 5, max: 10080 });
    for (const minutes of [5, 60, 1440, 10080]) {
      assert.equal(parseConfig({ ...rawConfig('production'), whatsAppTemplateCatalogueMaxAgeMinutes: minutes }, 'p.json').whatsAppTemplateCatalogueMaxAgeMinutes, minutes);
    }
  });

  for (const bad of [4, 10081, 0, -60, 59.5, '60', null, true]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseConfig({ ...rawConfig('staging'), whatsAppTemplateCatalogueMaxAgeMinutes: bad }, 's.json'), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /whatsAppTemplateCatalogueMaxAgeMinutes must be a whole number from 5 to 10080/);
        return true;
      });
    });
  }

  it('is required, and its problem is listed with the others', () => {
    const { whatsAppTemplateCatalogueMaxAgeMinutes: _, ...missing } = rawConfig('preview');
    assert.throws(() => parseConfig(missing, 'p.json'), /whatsAppTemplateCatalogueMaxAgeMinutes must be a whole number from 5 to 10080 \(got undefined\)/);
    assert.throws(() => parseConfig({ ...rawConfig('preview'), whatsAppTemplateCatalogueMaxAgeMinutes: 4, whatsAppTierLimit: 0 }, 'p.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /whatsAppTemplateCatalogueMaxAgeMinutes must be a whole number from 5 to 10080 \(got 4\)/);
      assert.match(e.message, /whatsAppTierLimit must be a positive whole number/);
      return true;
    });
  });
});

describe('bulk jobs', () => {
  it('every checked-in environment runs at most 4 bulk workers at once', () => {
    for (const env of ENVIRONMENTS) assert.deepEqual(loadConfig(CONFIG_DIR, env).bulk, { workerConcurrency: 4 }, env);
  });

  it(`takes any whole number from ${BULK_WORKER_CONCURRENCY.min} to ${BULK_WORKER_CONCURRENCY.max}`, () => {
    assert.deepEqual(BULK_WORKER_CONCURRENCY, { min: 2, max: 5 });
    for (const workerConcurrency of [2, 3, 5]) {
      assert.equal(parseConfig({ ...rawConfig('production'), bulk: { workerConcurrency } }, 'p.json').bulk.workerConcurrency, workerConcurrency);
    }
  });

  for (const bad of [1, 6, 0, -4, 2.5, '4', null, true, 1000]) {
    it(`refuses a workerConcurrency of ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseConfig({ ...rawConfig('staging'), bulk: { workerConcurrency: bad } }, 's.json'), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /bulk\.workerConcurrency must be a whole number from 2 to 5/);
        return true;
      });
    });
  }

  it('refuses unknown settings, a missing value and a missing section', () => {
    assert.throws(() => parseConfig({ ...rawConfig('preview'), bulk: { workerConcurrency: 4, batchSize: 10 } }, 'p.json'), /bulk\.batchSize is not a known setting/);
    assert.throws(() => parseConfig({ ...rawConfig('preview'), bulk: {} }, 'p.json'), /bulk\.workerConcurrency must be a whole number from 2 to 5 \(got undefined\)/);
    const { bulk: _, ...missing } = rawConfig('preview');
    assert.throws(() => parseConfig(missing, 'p.json'), /bulk must be an object/);
    assert.throws(() => parseConfig({ ...rawConfig('preview'), bulk: 4 }, 'p.json'), /bulk must be an object/);
  });
});

describe('tenancy', () => {
  const withTenancy = (tenancy: unknown): Record<string, unknown> => ({ ...rawConfig('production'), tenancy });

  // The deployments serve one business today, and the users of their pool were created without
  // custom:tenant_id: multi mode would lock them out. A second tenant's users carry the attribute
  // and are scoped by it either way; switch to multi once every user does.
  it('every checked-in environment serves tenant wecare in single mode until its users carry custom:tenant_id', () => {
    for (const env of ENVIRONMENTS) assert.deepEqual(loadConfig(CONFIG_DIR, env).tenancy, { mode: 'single', defaultTenantId: 'wecare' }, env);
  });

  it('single mode names its default tenant', () => {
    assert.deepEqual(parseConfig(withTenancy({ mode: 'single', defaultTenantId: 'wecare' }), 'p.json').tenancy, { mode: 'single', defaultTenantId: 'wecare' });
  });

  for (const [what, tenancy, problem] of [
    ['single mode without a default tenant', { mode: 'single' }, /tenancy\.defaultTenantId must be a string matching .* in mode single \(got undefined\)/],
    ['single mode with a malformed tenant', { mode: 'single', defaultTenantId: 'We Care' }, /tenancy\.defaultTenantId must be a string matching/],
    ['a default tenant in multi mode', { mode: 'multi', defaultTenantId: 'wecare' }, /tenancy\.defaultTenantId is only for mode single/],
    ['an unknown mode', { mode: 'shared' }, /tenancy\.mode must be one of multi, single \(got "shared"\)/],
    ['an unknown setting', { mode: 'multi', fallback: true }, /tenancy\.fallback is not a known setting/],
    ['a bare string', 'multi', /tenancy must be an object/],
    ['nothing', undefined, /tenancy must be an object/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseConfig(withTenancy(tenancy), 'p.json'), (e: unknown) => e instanceof ConfigError && problem.test(e.message));
    });
  }
});

describe('senders', () => {
  const NUMBER_A = `phone-number-id-${'a'.repeat(32)}`;
  const NUMBER_B = `phone-number-id-${'b'.repeat(32)}`;
  const POOL = `pool-${'c'.repeat(32)}`;
  const whatsApp = (tenant: string, id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    tenant,
    channel: 'whatsapp',
    id,
    label: '+91 93309 94400',
    default: false,
    wabaId: '1347766229904230',
    ...extra,
  });
  const withSenders = (senders: unknown): Record<string, unknown> => ({ ...rawConfig('production'), senders });
  /** The problems parseConfig lists for `senders`, as one string. */
  const problemsWith = (senders: unknown): string => {
    try {
      parseConfig(withSenders(senders), 'p.json');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
    assert.fail('the configuration was accepted');
  };

  it('the checked-in files give tenant wecare its SMS pool and email address, as defaults, and no WhatsApp number yet', () => {
    for (const env of ENVIRONMENTS) {
      const { senders } = loadConfig(CONFIG_DIR, env);
      assert.deepEqual(
        senders.map((s) => [s.tenant, s.channel, s.id, s.default]),
        [
          ['wecare', 'sms', 'pool-6fbf5a5f390d4eeeaa7dbae39d78933e', true],
          ['wecare', 'email', 'one@wecare.digital', true],
        ],
        env,
      );
    }
  });

  it('keeps every field of a valid list, typed per channel', () => {
    const senders = [
      whatsApp('wecare', NUMBER_A, { default: true, ratePerSecond: 80 }),
      whatsApp('globex', NUMBER_B),
      { tenant: 'globex', channel: 'sms', id: POOL, label: 'Globex SMS', default: true, ratePerSecond: 2.5 },
      { tenant: 'globex', channel: 'sms', id: `phone-${'d'.repeat(32)}`, label: '+1 555 0100', default: false },
      { tenant: 'globex', channel: 'email', id: 'hello@globex.example', label: 'Globex <hello@globex.example>', default: false },
    ];
    assert.deepEqual(parseConfig(withSenders(senders), 'p.json').senders, senders);
  });

  it('a sender id owned by two tenants is a configuration error', () => {
    assert.match(
      problemsWith([whatsApp('wecare', NUMBER_A, { default: true }), whatsApp('globex', NUMBER_A, { default: true })]),
      new RegExp(`senders: ${NUMBER_A} is owned by two tenants, wecare and globex; a sender belongs to exactly one tenant`),
    );
    // An address is one sender whatever its case.
    const mail = (tenant: string, id: string): Record<string, unknown> => ({ tenant, channel: 'email', id, label: id, default: false });
    assert.match(problemsWith([mail('wecare', 'one@wecare.digital'), mail('globex', 'One@WECARE.digital')]), /One@WECARE\.digital is owned by two tenants, wecare and globex/);
    // Nor may one tenant list it twice.
    assert.match(problemsWith([whatsApp('wecare', NUMBER_A), whatsApp('wecare', NUMBER_A)]), new RegExp(`${NUMBER_A} is listed twice for tenant wecare`));
  });

  it('two defaults for one tenant and channel is an error; one per channel and per tenant is fine', () => {
    assert.match(
      problemsWith([whatsApp('wecare', NUMBER_A, { default: true }), whatsApp('wecare', NUMBER_B, { default: true })]),
      new RegExp(`tenant wecare has two default whatsapp senders, ${NUMBER_A} and ${NUMBER_B}; mark at most one default: true`),
    );
    const fine = [
      whatsApp('wecare', NUMBER_A, { default: true }),
      whatsApp('globex', NUMBER_B, { default: true }),
      { tenant: 'wecare', channel: 'sms', id: POOL, label: 'SMS', default: true },
    ];
    assert.equal(parseConfig(withSenders(fine), 'p.json').senders.filter((s) => s.default).length, 3);
  });

  it('a WhatsApp sender without its business account (wabaId, digits) is an error', () => {
    const { wabaId: _, ...withoutWaba } = whatsApp('wecare', NUMBER_A);
    assert.match(problemsWith([withoutWaba]), /senders\[0\]\.wabaId must be a string matching .* \(got undefined\)/);
    assert.match(problemsWith([whatsApp('wecare', NUMBER_A, { wabaId: 'waba-1' })]), /senders\[0\]\.wabaId must be a string matching/);
    assert.match(problemsWith([whatsApp('wecare', NUMBER_A, { wabaId: 1347766229904230 })]), /senders\[0\]\.wabaId must be a string matching/);
  });

  it('refuses ids that are not of their channel, malformed tenants, empty labels and a missing default', () => {
    const message = problemsWith([
      whatsApp('wecare', '+919330994400'),
      { tenant: 'wecare', channel: 'sms', id: '+919330994400', label: 'SMS', default: true },
      { tenant: 'wecare', channel: 'email', id: 'wecare.digital', label: 'Mail', default: true },
      whatsApp('We Care', NUMBER_B, { label: '  ' }),
      { tenant: 'globex', channel: 'sms', id: POOL, label: 'SMS' },
      { tenant: 'globex', channel: 'fax', id: '1', label: 'Fax', default: true },
      'wecare',
    ]);
    assert.match(message, /senders\[0\]\.id must be a string matching \/\^phone-number-id-/);
    assert.match(message, /senders\[1\]\.id must be a string matching \/\^\(pool-/);
    assert.match(message, /senders\[2\]\.id must be a string matching/);
    assert.match(message, /senders\[3\]\.tenant must be a string matching/);
    assert.match(message, /senders\[3\]\.label must be a non-empty string/);
    assert.match(message, /senders\[4\]\.default must be true or false \(got undefined\)/);
    assert.match(message, /senders\[5\]\.channel must be one of whatsapp, sms, email \(got "fax"\)/);
    assert.match(message, /senders\[6\] must be an object/);
  });

  it('ratePerSecond is a positive number up to 1000, for WhatsApp and SMS senders only', () => {
    for (const bad of [0, -1, 1001, '80', null]) {
      assert.match(problemsWith([whatsApp('wecare', NUMBER_A, { ratePerSecond: bad })]), /senders\[0\]\.ratePerSecond must be a number above 0 and at most 1000/, String(bad));
    }
    assert.equal(parseConfig(withSenders([whatsApp('wecare', NUMBER_A, { ratePerSecond: 1000 })]), 'p.json').senders[0]?.channel, 'whatsapp');
    const mail = { tenant: 'wecare', channel: 'email', id: 'one@wecare.digital', label: 'Mail', default: true };
    assert.match(problemsWith([{ ...mail, ratePerSecond: 10 }]), /senders\[0\]\.ratePerSecond is not a setting of a email sender \(only whatsapp and sms\)/);
    assert.match(problemsWith([{ ...mail, wabaId: '1' }]), /senders\[0\]\.wabaId is not a setting of a email sender \(only whatsapp\)/);
    assert.match(problemsWith([{ ...mail, colour: 'blue' }]), /senders\[0\]\.colour is not a known setting/);
  });

  it('is required, as a list', () => {
    const { senders: _, ...missing } = rawConfig('production');
    assert.throws(() => parseConfig(missing, 'p.json'), /senders must be a list/);
    assert.throws(() => parseConfig(withSenders({}), 'p.json'), /senders must be a list/);
    assert.deepEqual(parseConfig(withSenders([]), 'p.json').senders, [], 'an empty list: nothing can be sent');
  });

  it('SENDERS lists them by tenant and channel, keeping the file\'s order within each, with only the fields set', () => {
    const config = parseConfig(
      withSenders([
        { tenant: 'wecare', channel: 'email', id: 'one@wecare.digital', label: 'WECARE.DIGITAL <one@wecare.digital>', default: true },
        whatsApp('wecare', NUMBER_B),
        { ratePerSecond: 40, ...whatsApp('globex', NUMBER_A, { default: true }) },
        { default: false, label: 'SMS', id: POOL, channel: 'sms', tenant: 'wecare' },
        whatsApp('wecare', `phone-number-id-${'e'.repeat(32)}`),
      ]),
      'p.json',
    );
    const variable = sendersVariable(config.senders);
    assert.deepEqual(
      (JSON.parse(variable) as { tenant: string; channel: string; id: string }[]).map((s) => `${s.tenant} ${s.channel} ${s.id}`),
      [`globex whatsapp ${NUMBER_A}`, `wecare whatsapp ${NUMBER_B}`, `wecare whatsapp phone-number-id-${'e'.repeat(32)}`, `wecare sms ${POOL}`, 'wecare email one@wecare.digital'],
    );
    assert.ok(
      variable.startsWith(`[{"tenant":"globex","channel":"whatsapp","id":"${NUMBER_A}","label":"+91 93309 94400","default":true,"wabaId":"1347766229904230","ratePerSecond":40},`),
      variable,
    );
    assert.ok(variable.includes(`{"tenant":"wecare","channel":"sms","id":"${POOL}","label":"SMS","default":false}`), 'an SMS sender has no wabaId');
    assert.equal(sendersVariable([]), '[]');
  });
});

describe('the AI assistant\'s Bedrock settings', () => {
  const NOVA_PRO = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0';
  const PROFILE = 'arn:aws:bedrock:us-east-1:809904170947:inference-profile/us.amazon.nova-pro-v1:0';
  const withExisting = (env: string, changes: Record<string, unknown>): Record<string, unknown> => {
    const raw = rawConfig(env);
    return { ...raw, existing: { ...(raw['existing'] as Record<string, unknown>), ...changes } };
  };
  /** The problems parseConfig lists for the file of `env` with `changes` under `existing`, as one string. */
  const problemsWith = (env: string, changes: Record<string, unknown>): string => {
    try {
      parseConfig(withExisting(env, changes), `${env}.json`);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
    assert.fail('the configuration was accepted');
  };

  it('every checked-in environment names the knowledge base, the agent and Amazon Nova Pro; staging and previews invoke the agent\'s test alias, production no alias yet', () => {
    for (const env of ENVIRONMENTS) {
      const { existing } = loadConfig(CONFIG_DIR, env);
      assert.deepEqual(
        [existing.bedrockKnowledgeBaseId, existing.bedrockAgentId, existing.bedrockModelArn, existing.bedrockAgentAliasId],
        ['FZBPKGTOYE', 'HQNT0JXN8G', NOVA_PRO, env === 'production' ? null : TEST_AGENT_ALIAS_ID],
        env,
      );
    }
    assert.equal(TEST_AGENT_ALIAS_ID, 'TSTALIASID');
  });

  it('takes an alias id, or null while none is chosen; a malformed or missing one is refused with the command that lists the aliases', () => {
    assert.equal(parseConfig(withExisting('production', { bedrockAgentAliasId: 'AB12CD34EF' }), 'p.json').existing.bedrockAgentAliasId, 'AB12CD34EF');
    assert.equal(parseConfig(withExisting('staging', { bedrockAgentAliasId: null }), 's.json').existing.bedrockAgentAliasId, null);
    for (const bad of ['tstaliasid', 'ABC', 'AB12CD34EF0', 42, '']) {
      const message = problemsWith('staging', { bedrockAgentAliasId: bad });
      assert.match(message, /existing\.bedrockAgentAliasId must be null \(no alias chosen yet\) or the id of an alias of the agent, 10 characters of \[0-9A-Z\] such as TSTALIASID, the test alias that runs the agent's working draft/, String(bad));
      assert.ok(message.includes(`(got ${JSON.stringify(bad)})`), message);
      assert.match(message, /`aws bedrock-agent list-agent-aliases --agent-id HQNT0JXN8G --region us-east-1` lists them \(agentAliasId\)/);
    }
    const raw = rawConfig('preview');
    const { bedrockAgentAliasId: _, ...existing } = raw['existing'] as Record<string, unknown>;
    assert.throws(() => parseConfig({ ...raw, existing }, 'p.json'), /existing\.bedrockAgentAliasId must be null .* \(got undefined\)/);
  });

  it('refuses a malformed knowledge base or agent id, naming the command that lists them', () => {
    const message = problemsWith('production', { bedrockKnowledgeBaseId: 'kb-1', bedrockAgentId: undefined });
    assert.match(message, /existing\.bedrockKnowledgeBaseId must be the id of the Bedrock knowledge base ai-query-kb answers from, 10 characters of \[0-9A-Z\] \(got "kb-1"\); `aws bedrock-agent list-knowledge-bases --region us-east-1` lists them/);
    assert.match(message, /existing\.bedrockAgentId must be the id of the Bedrock agent ai-generate-response drafts replies with, 10 characters of \[0-9A-Z\] \(got undefined\); `aws bedrock-agent list-agents --region us-east-1` lists them/);
  });

  it('takes a foundation model or a system-defined inference profile of the stack\'s region as the model', () => {
    assert.equal(parseConfig(withExisting('production', { bedrockModelArn: PROFILE }), 'p.json').existing.bedrockModelArn, PROFILE);
    assert.deepEqual(bedrockModelOf(NOVA_PRO), { kind: 'foundation-model', arn: NOVA_PRO, partition: 'aws', region: 'us-east-1', modelId: 'amazon.nova-pro-v1:0' });
    assert.deepEqual(bedrockModelOf(PROFILE), {
      kind: 'inference-profile',
      arn: PROFILE,
      partition: 'aws',
      region: 'us-east-1',
      account: '809904170947',
      profileId: 'us.amazon.nova-pro-v1:0',
      modelId: 'amazon.nova-pro-v1:0',
    });
    assert.equal(bedrockModelOf('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0')?.kind, 'foundation-model');
    assert.equal(bedrockModelOf('arn:aws:bedrock:us-east-1:809904170947:inference-profile/global.amazon.nova-pro-v1:0')?.modelId, 'amazon.nova-pro-v1:0');
  });

  for (const [what, arn] of [
    ['a model id instead of an ARN', 'amazon.nova-pro-v1:0'],
    ['an application inference profile, whose ARN does not say which model it invokes', 'arn:aws:bedrock:us-east-1:809904170947:application-inference-profile/a1b2c3d4e5f6'],
    ['a custom model', 'arn:aws:bedrock:us-east-1:809904170947:custom-model/amazon.nova-pro-v1:0/abc'],
    ['a foundation model with an account', 'arn:aws:bedrock:us-east-1:809904170947:foundation-model/amazon.nova-pro-v1:0'],
    ['nothing', undefined],
  ] as const) {
    it(`refuses ${what} as the model, naming the commands that list models and profiles`, () => {
      const message = problemsWith('staging', { bedrockModelArn: arn });
      assert.match(message, /existing\.bedrockModelArn must be a foundation model's ARN, arn:aws:bedrock:<region>::foundation-model\/<model id> such as arn:aws:bedrock:us-east-1::foundation-model\/amazon\.nova-pro-v1:0 \(Amazon Nova Pro\), or a system-defined inference profile's/);
      assert.match(message, /`aws bedrock list-foundation-models --by-output-modality TEXT --region us-east-1` and `aws bedrock list-inference-profiles --region us-east-1` list them/);
    });
  }

  it('refuses a model of another region, and an inference profile of another account', () => {
    assert.match(
      problemsWith('production', { bedrockModelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0' }),
      /existing\.bedrockModelArn is in eu-west-1, but the stack is in us-east-1: the knowledge base generates with a model, or an inference profile, of its own region/,
    );
    assert.match(
      problemsWith('production', { bedrockModelArn: 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0' }),
      /existing\.bedrockModelArn is an inference profile of account 111122223333, not of this stack's account 809904170947/,
    );
  });

  it('names the Bedrock problems with the file\'s others, at once', () => {
    const message = problemsWith('preview', { bedrockAgentAliasId: 'x', bedrockModelArn: 'y', mediaBucketName: 'Media Bucket' });
    for (const key of ['bedrockAgentAliasId', 'bedrockModelArn', 'mediaBucketName']) assert.match(message, new RegExp(`existing\\.${key} must be`), key);
  });
});

describe('schema.json', () => {
  it('the checked-in schema parses and has tables, routes and functions', () => {
    assert.ok(SCHEMA.tables.length > 0 && SCHEMA.routes.length > 0 && SCHEMA.functions.length > 0);
  });

  it('refuses a route served by a function that does not exist', () => {
    const raw = JSON.parse(readFileSync(join(INFRA_DIR, 'schema.json'), 'utf8')) as { routes: unknown[] };
    raw.routes.push({ method: 'GET', path: '/api/nowhere', function: 'ghost', authorized: true });
    assert.throws(() => parseSchema(raw), (e: unknown) => e instanceof SchemaError && /served by ghost, which is not in functions/.test(e.message));
  });

  it('refuses duplicate routes, paths outside /api and unknown methods', () => {
    const raw = JSON.parse(readFileSync(join(INFRA_DIR, 'schema.json'), 'utf8')) as { routes: Record<string, unknown>[] };
    const first = raw.routes[0] as Record<string, unknown>;
    raw.routes.push({ ...first }, { ...first, path: '/health' }, { ...first, method: 'TRACE', path: '/api/trace' });
    assert.throws(() => parseSchema(raw), (e: unknown) => {
      assert.ok(e instanceof SchemaError);
      assert.match(e.message, /route GET \/api\/health appears twice/);
      assert.match(e.message, /must start with \/api\//);
      assert.match(e.message, /TRACE is not one of/);
      return true;
    });
  });

  it('refuses authorized routes without the authorizer function', () => {
    const raw = JSON.parse(readFileSync(join(INFRA_DIR, 'schema.json'), 'utf8')) as { functions: string[] };
    raw.functions = raw.functions.filter((f) => f !== 'auth-middleware');
    assert.throws(() => parseSchema(raw), /need the auth-middleware authorizer/);
  });

  it('refuses a table whose TTL attribute is not a name', () => {
    const raw = JSON.parse(readFileSync(join(INFRA_DIR, 'schema.json'), 'utf8')) as { tables: Record<string, unknown>[] };
    (raw.tables[0] as Record<string, unknown>)['ttlAttribute'] = 30;
    assert.throws(() => parseSchema(raw), /ttlAttribute must be null or an attribute name/);
  });
});
