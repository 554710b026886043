// Why this exists: a configuration can be valid and still switch a channel off without anyone
// noticing — with no WhatsApp number every WhatsApp send is refused as not allowlisted, with no
// SMS identity or email sender every SMS or email, and a production without alert addresses
// raises its alarms to nobody. This module finds those gaps. The stack refuses to synthesize a
// production where a channel has no sender at all (each message names the missing setting and the
// command that finds its value) and prints the same as warnings for staging and previews, which
// may deliberately run without a channel. A tenant that lacks a channel others have (a business
// that only buys WhatsApp, say) is said everywhere, and stops nothing. The AI assistant is held to
// the same rule: without an alias of the Bedrock agent the two AI functions refuse to start, so a
// production without one is refused and staging and previews are told; a production that invokes
// the agent's test alias (its working draft) is told.

import { type EnvironmentConfig, type SenderChannel, SENDER_CHANNELS, TEST_AGENT_ALIAS_ID } from './config';

/** One gap: an id for the warning annotation, and what an operator reads. */
export interface Finding {
  readonly id: string;
  readonly message: string;
}

/** What stops a deployment (production only) and what is only said (everywhere). */
export interface Readiness {
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/** Raised by the stack for a production with gaps; lists every one. */
export class ReadinessError extends Error {
  constructor(environment: string, findings: readonly Finding[]) {
    super(`config/${environment}.json cannot deploy ${environment}: a channel or the AI assistant would be switched off without anyone noticing.\n  - ${findings.map((f) => f.message).join('\n  - ')}`);
    this.name = 'ReadinessError';
  }
}

/** What a channel's sender is called, the sender to add, and where its id comes from. */
const CHANNEL_HELP: Readonly<Record<SenderChannel, { what: string; allRefused: string; refused: string; example: (tenant: string) => string; find: (region: string) => string }>> = {
  whatsapp: {
    what: 'WhatsApp number',
    allRefused: 'every WhatsApp send would be refused as not allowlisted',
    refused: 'every WhatsApp send of the tenant would be refused as not allowlisted',
    example: (tenant) => `{"tenant": "${tenant}", "channel": "whatsapp", "id": "phone-number-id-…", "wabaId": "…", "label": "+91 …", "default": true}`,
    find: (region) =>
      `the business accounts (their id waba-… and Meta's wabaId) are listed by \`aws socialmessaging list-linked-whatsapp-business-accounts --region ${region}\`, and an account's numbers (phoneNumbers[].phoneNumberId) by \`aws socialmessaging get-linked-whatsapp-business-account --id waba-… --region ${region}\``,
  },
  sms: {
    what: 'SMS origination identity',
    allRefused: 'every SMS would be refused',
    refused: 'every SMS of the tenant would be refused',
    example: (tenant) => `{"tenant": "${tenant}", "channel": "sms", "id": "pool-…", "label": "…", "default": true}`,
    find: (region) =>
      `pools (PoolId, pool-…) are listed by \`aws pinpoint-sms-voice-v2 describe-pools --region ${region}\`, and phone numbers (PhoneNumberId, phone-…) by \`aws pinpoint-sms-voice-v2 describe-phone-numbers --region ${region}\``,
  },
  email: {
    what: 'email sender',
    allRefused: 'every email would be refused',
    refused: 'every email of the tenant would be refused',
    example: (tenant) => `{"tenant": "${tenant}", "channel": "email", "id": "name@your-domain", "label": "…", "default": true}`,
    find: (region) =>
      `\`aws sesv2 list-email-identities --region ${region}\` lists the identities SES may send from (an address, or its domain, with SendingEnabled true)`,
  },
};

/**
 * The tenants a deployment serves: every sender's owner, and in single mode the default tenant
 * (whose users have nothing to send from if it owns no sender).
 */
function tenantsOf(config: EnvironmentConfig): string[] {
  const tenants = new Set(config.senders.map((s) => s.tenant));
  if (config.tenancy.mode === 'single') tenants.add(config.tenancy.defaultTenantId);
  return [...tenants].sort();
}

/**
 * The gaps in `config`'s senders: `channels` without any sender at all (the channel is off for
 * everyone), and `tenants` lacking a channel that some other tenant has.
 */
export function senderGaps(config: EnvironmentConfig): { readonly channels: Finding[]; readonly tenants: Finding[] } {
  const file = `config/${config.environment}.json`;
  const tenants = tenantsOf(config);
  const channels: Finding[] = [];
  const lacking: Finding[] = [];
  for (const channel of SENDER_CHANNELS) {
    const help = CHANNEL_HELP[channel];
    const owners = tenants.filter((tenant) => config.senders.some((s) => s.tenant === tenant && s.channel === channel));
    if (owners.length === 0) {
      // The tenant in the example: the only one, else a placeholder.
      const tenant = tenants.length === 1 ? (tenants[0] as string) : '<tenant>';
      channels.push({
        id: `wecare:no-${channel}-sender`,
        message: `senders in ${file} lists no ${help.what}, so ${help.allRefused}. Add ${help.example(tenant)}: ${help.find(config.region)}.`,
      });
      continue;
    }
    for (const tenant of tenants.filter((t) => !owners.includes(t))) {
      lacking.push({
        id: `wecare:no-${channel}-sender:${tenant}`,
        message: `senders in ${file}: tenant ${tenant} has no ${help.what}, so ${help.refused}. If it should have one, add ${help.example(tenant)}: ${help.find(config.region)}.`,
      });
    }
  }
  return { channels, tenants: lacking };
}

/**
 * The AI assistant's gaps: no alias of the Bedrock agent (both AI functions then refuse to start,
 * their config requiring `AI_AGENT_ALIAS_ID`), and, said only, the agent's test alias.
 */
export function assistantGaps(config: EnvironmentConfig): { readonly missing: Finding[]; readonly draft: Finding[] } {
  const file = `config/${config.environment}.json`;
  const { bedrockAgentId: agent, bedrockAgentAliasId: alias } = config.existing;
  const list = `\`aws bedrock-agent list-agent-aliases --agent-id ${agent} --region ${config.region}\` lists its aliases (agentAliasId)`;
  if (alias === null) {
    return {
      missing: [
        {
          id: 'wecare:no-bedrock-agent-alias',
          message:
            `existing.bedrockAgentAliasId in ${file} is null, so nothing may invoke the Bedrock agent ${agent} and ai-query-kb and ai-generate-response refuse to start (their config requires AI_AGENT_ALIAS_ID): every /api/ai route would answer 500 and no reply would be drafted. ` +
            `Set it to the id of a published alias of the agent: ${list}; ${TEST_AGENT_ALIAS_ID} is its test alias, which runs the working draft.`,
        },
      ],
      draft: [],
    };
  }
  if (alias === TEST_AGENT_ALIAS_ID && config.environment === 'production') {
    return {
      missing: [],
      draft: [
        {
          id: 'wecare:bedrock-test-alias',
          message: `existing.bedrockAgentAliasId in ${file} is ${TEST_AGENT_ALIAS_ID}, the agent's test alias: production drafts replies with the agent's working draft, which changes as soon as anyone edits the agent. Publish a version behind an alias of its own and name that alias: ${list}.`,
        },
      ],
    };
  }
  return { missing: [], draft: [] };
}

/** Whether `config` can deploy as it is, and what it should be told. */
export function readinessOf(config: EnvironmentConfig): Readiness {
  const gaps = senderGaps(config);
  const assistant = assistantGaps(config);
  if (config.environment !== 'production') return { errors: [], warnings: [...gaps.channels, ...assistant.missing, ...gaps.tenants, ...assistant.draft] };
  const warnings: Finding[] = [...gaps.tenants, ...assistant.draft];
  if (config.alertEmails.length === 0) {
    warnings.push({
      id: 'wecare:no-alert-emails',
      message: `alertEmails in config/production.json is empty: every alarm (function errors and throttles, dead letters, API 5xx, bulk failure rate) and the WhatsApp tier warning would reach nobody. List the people on call; each confirms the subscription SNS mails them.`,
    });
  }
  if (config.sendMode === 'DRY_RUN') {
    warnings.push({
      id: 'wecare:production-dry-run',
      message: 'sendMode in config/production.json is DRY_RUN: production records every message and sends none to customers.',
    });
  }
  return { errors: [...gaps.channels, ...assistant.missing], warnings };
}
