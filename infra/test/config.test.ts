// The checked-in environment files and schema.json are read strictly: only production may be
// LIVE (in the config loader and again in the stack), and a malformed schema or config fails
// synthesis with a message that names the problem.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, ENVIRONMENTS, type EnvironmentConfig, loadConfig, parseConfig, tenantOfEachNumber } from '../lib/config';
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
    const existing = { ...(rawConfig('production')['existing'] as Record<string, unknown>), whatsAppPhoneNumberIds: ['+919330994400'] };
    assert.throws(() => parseConfig({ ...rawConfig('production'), existing }, 'p.json'), /existing\.whatsAppPhoneNumberIds must be a list/);
  });
});

describe('the WhatsApp messaging tier', () => {
  it('every checked-in environment allows tier 1: 250 business-initiated conversations per tenant in 24 h', () => {
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

describe('which tenant each WhatsApp number serves', () => {
  const a = `phone-number-id-${'a'.repeat(32)}`;
  const b = `phone-number-id-${'b'.repeat(32)}`;
  const withNumbers = (tenants: unknown): Record<string, unknown> => {
    const raw = rawConfig('production');
    return { ...raw, whatsAppNumberTenants: tenants, existing: { ...(raw['existing'] as Record<string, unknown>), whatsAppPhoneNumberIds: [a, b] } };
  };

  it('a configured number without an entry serves the default tenant', () => {
    const config = parseConfig(withNumbers({ [b]: 'globex' }), 'p.json');
    assert.deepEqual(tenantOfEachNumber(config), [[a, 'wecare'], [b, 'globex']]);
    assert.deepEqual(tenantOfEachNumber(loadConfig(CONFIG_DIR, 'production')), [], 'no numbers are checked in yet');
  });

  it('refuses a number that is not configured, a malformed id or tenant, and a missing setting', () => {
    const other = `phone-number-id-${'c'.repeat(32)}`;
    assert.throws(() => parseConfig(withNumbers({ [other]: 'globex', 'phone-number-1': 'wecare', [a]: 'Bad Tenant' }), 'p.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`whatsAppNumberTenants\\.${other}: ${other} is not one of existing\\.whatsAppPhoneNumberIds`));
      assert.match(e.message, /whatsAppNumberTenants\.phone-number-1: the key must match/);
      assert.match(e.message, new RegExp(`whatsAppNumberTenants\\.${a} must be a tenant id`));
      return true;
    });
    const { whatsAppNumberTenants: _, ...missing } = rawConfig('production');
    assert.throws(() => parseConfig(missing, 'p.json'), /whatsAppNumberTenants must be an object/);
    assert.throws(() => parseConfig(withNumbers([]), 'p.json'), /whatsAppNumberTenants must be an object/);
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
