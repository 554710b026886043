// cdk-nag's AwsSolutions pack runs on the whole app (all three environments): synthesis must
// pass with no finding left, errors or warnings, and every acknowledgement must be one of the
// reviewed kinds below and carry a reason a reviewer can check.

import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { App } from 'aws-cdk-lib';
import { type EnvironmentConfig, loadConfig } from '../lib/config';
import { buildTestApp, CONFIG_DIR, withAgentAlias } from './helpers';

interface Violation {
  ruleName: string;
  description: string;
  severity: string;
  violatingConstructs?: { constructPath: string }[];
}
interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: Violation[] }[];
}

function readReport(outdir: string): Report | undefined {
  const path = join(outdir, 'validation-report.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Report) : undefined;
}

function describeViolations(report: Report | undefined): string {
  if (!report) return '(no validation report)';
  return report.pluginReports
    .flatMap((p) => p.violations.map((v) => `${p.pluginName} ${v.severity} ${v.ruleName}: ${v.description} at ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`))
    .join('\n');
}

/**
 * Every kind of acknowledgement the app may make, with where it is expected. A new kind needs a
 * reviewer to add it here.
 */
const REVIEWED: { id: RegExp; at: RegExp }[] = [
  { id: /^AwsSolutions-DDB3$/, at: /\/Data\/(Messages|BulkRecipients|DlqMessages|RateLimitTrackers)\/?/ },
  // The dead-letter queues themselves; and ai-queue, which has none on purpose: ai-generate-response
  // gives a draft request up itself (counted and alarmed), and one older than the queue's retention
  // of an hour is worthless.
  { id: /^AwsSolutions-SQS3$/, at: /\/Messaging\/((inbound|bulk|outbound)-dlq|ai-queue)$/ },
  { id: /^AwsSolutions-IAM5\[Resource::\*\]$/, at: /\/Functions\/[a-z-]+$/ },
  { id: /^AwsSolutions-IAM5\[Resource::<Data[A-Za-z]+[0-9A-F]{8}\.Arn>\/index\/\*\]$/, at: /\/Functions\/[a-z-]+$/ },
  // The media bucket's objects under one prefix, never the whole bucket: inbound media is put
  // under incoming/, operators' uploads are signed for and checked under outgoing/ (and read from
  // there: a template's media header by the bulk worker's sends, a header's sample file by the
  // template API), and the timeline signs downloads under both. The DLQ replay runs the inbound
  // handler's code on a replayed event, so it puts inbound media under incoming/ as the handler does.
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/incoming\/\*\]$/, at: /\/Functions\/(inbound-whatsapp-handler|messages-read|dlq-replay)$/ },
  {
    id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/outgoing\/\*\]$/,
    at: /\/Functions\/(outbound-whatsapp|messages-read|bulk-worker|whatsapp-templates)$/,
  },
  // The WhatsApp Business Accounts of the account and region, for the template actions only: IAM
  // names an account by its AWS id, which the configuration does not hold (senders carry Meta's).
  // The DLQ replay reaches the catalogue through the inbound handler's code (a replayed template
  // decision) and through the send path.
  {
    id: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:social-messaging:[a-z0-9-]+:\d{12}:waba\/\*\]$/,
    at: /\/Functions\/(whatsapp-templates|outbound-whatsapp|bulk-worker|bulk-job-create|inbound-whatsapp-handler|dlq-replay)$/,
  },
  // The reports bucket's objects under one prefix, likewise: operators' CSVs are signed for and
  // read back under imports/, previews' plans kept under previews/ for the create confirming them,
  // job manifests written under manifests/ and read by the worker and control, job reports written under reports/ and signed for download,
  // the parts a finishing job's report is joined from written and read back by the worker under report-parts/.
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/imports\/\*\]$/, at: /\/Functions\/bulk-job-create$/ },
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/previews\/\*\]$/, at: /\/Functions\/bulk-job-create$/ },
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/manifests\/\*\]$/, at: /\/Functions\/(bulk-job-create|bulk-worker|bulk-job-control)$/ },
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/reports\/\*\]$/, at: /\/Functions\/(bulk-worker|bulk-job-control)$/ },
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:s3:::[a-z0-9.-]+\/report-parts\/\*\]$/, at: /\/Functions\/bulk-worker$/ },
  // A cross-region inference profile as the knowledge base's model: its foundation model in any
  // of the profile's regions, which its ARN does not name — that one model only.
  { id: /^AwsSolutions-IAM5\[Resource::arn:aws[a-z-]*:bedrock:\*::foundation-model\/[a-z0-9-]+\.[a-z0-9.:-]+\]$/, at: /\/Functions\/ai-query-kb$/ },
  { id: /^AwsSolutions-APIG4$/, at: /\/Api\/HttpApi\/GET--api--health\/Resource$/ },
  { id: /^AwsSolutions-COG4$/, at: /\/Api\/HttpApi\/[A-Z]+--api--[^/]+\/Resource$/ },
  { id: /^AwsSolutions-S1$/, at: /\/Hosting\/AccessLogs$/ },
  { id: /^AwsSolutions-CFR1$/, at: /\/Hosting\/Distribution$/ },
  // The generic preview of the tests, and each feature branch's.
  { id: /^AwsSolutions-CFR2$/, at: /^WecareDigital-preview(-[a-z0-9-]+)?\/Hosting\/Distribution$/ },
  { id: /^AwsSolutions-CFR4$/, at: /\/Hosting\/Distribution$/ },
];

/** Reasons that say nothing a reviewer could check. */
const EMPTY_REASON = /^(n\/?a|none|todo|tbd|ok|fine|not needed|not required|false positive|suppressed|ignore[d]?|legacy|for historical reasons)\.?$/i;

/** Synthesizes `app`, answering the error it threw, if any. */
function synth(app: App): unknown {
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Every AwsSolutions acknowledgement of `app`, checked against REVIEWED; answers them. */
function checkAcknowledgements(app: App): { id: string; reason: string; path: string }[] {
  const acknowledgements: { id: string; reason: string; path: string }[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        // aws-cdk-lib acknowledges some findings of its own plugins itself; those are not ours.
        if (!qualifiedId.includes('AwsSolutions-')) continue;
        assert.match(qualifiedId, /^AwsSolutions::/, `${qualifiedId} at ${construct.node.path} must name its plugin`);
        acknowledgements.push({ id: qualifiedId.replace(/^AwsSolutions::/, ''), reason, path: construct.node.path });
      }
    }
  }
  assert.ok(acknowledgements.length > 0, 'the app records its acknowledgements as metadata');
  for (const { id, reason, path } of acknowledgements) {
    const kind = REVIEWED.find((r) => r.id.test(id));
    assert.ok(kind, `${id} at ${path} is not a reviewed kind of acknowledgement: add it to REVIEWED with care`);
    assert.match(path, kind.at, `${id} is acknowledged at ${path}, not where expected`);
    assert.ok(reason.length >= 80, `the reason for ${id} at ${path} is too short to be checked: "${reason}"`);
    assert.doesNotMatch(reason.trim(), EMPTY_REASON, `the reason for ${id} at ${path} says nothing`);
  }
  return acknowledgements;
}

describe('cdk-nag AwsSolutions', () => {
  let app: App;
  let outdir: string;
  let synthError: unknown;

  before(() => {
    const built = buildTestApp({ nag: true });
    app = built.app;
    outdir = built.outdir;
    synthError = synth(app);
  });

  it('passes on every environment with no finding left, errors or warnings', () => {
    const report = readReport(outdir);
    assert.equal(synthError, undefined, `synthesis failed:\n${describeViolations(report)}`);
    const nag = report?.pluginReports.filter((p) => p.pluginName === 'AwsSolutions') ?? [];
    assert.deepEqual(nag.flatMap((p) => p.violations.map((v) => v.ruleName)), []);
  });

  it('acknowledges only reviewed kinds of findings, where they are expected, each with a checkable reason', () => {
    checkAcknowledgements(app);
  });

  it('still passes once WhatsApp numbers are configured: the template grants on the business accounts and on "*" are acknowledged, each with its reason', () => {
    const base = withAgentAlias(loadConfig(CONFIG_DIR, 'production'));
    const numbered: EnvironmentConfig = {
      ...base,
      senders: [{ tenant: 'wecare', channel: 'whatsapp', id: `phone-number-id-${'a'.repeat(32)}`, label: '+91 93309 94400', default: true, wabaId: '1347766229904230' }, ...base.senders],
    };
    const built = buildTestApp({ nag: true, environments: ['production'], configs: { production: numbered } });
    const error = synth(built.app);
    const report = readReport(built.outdir);
    assert.equal(error, undefined, `synthesis failed:\n${describeViolations(report)}`);
    assert.deepEqual((report?.pluginReports.filter((p) => p.pluginName === 'AwsSolutions') ?? []).flatMap((p) => p.violations.map((v) => v.ruleName)), []);
    const acknowledged = checkAcknowledgements(built.app);
    const waba = acknowledged.filter((a) => a.id.includes(':waba/*'));
    assert.deepEqual(
      waba.map((a) => a.path.replace(/^.*\/Functions\//, '')).sort(),
      ['bulk-job-create', 'bulk-worker', 'dlq-replay', 'inbound-whatsapp-handler', 'outbound-whatsapp', 'whatsapp-templates'],
    );
    // The "*" of those functions now covers ListLinkedWhatsAppBusinessAccounts besides X-Ray, and
    // says so, as ai-query-kb's says it covers bedrock:RetrieveAndGenerate (see "the AI assistant").
    for (const a of acknowledged.filter((x) => x.id === 'AwsSolutions-IAM5[Resource::*]')) {
      const templates = waba.some((w) => w.path === a.path);
      const generates = a.path.endsWith('/Functions/ai-query-kb');
      assert.equal(a.reason.includes('social-messaging:ListLinkedWhatsAppBusinessAccounts'), templates, a.path);
      assert.equal(a.reason.includes('bedrock:RetrieveAndGenerate'), generates, a.path);
      assert.equal(a.reason.includes('no other statement of this role uses "*"'), !templates && !generates, a.path);
    }
  });

  it('passes on a feature branch\'s preview with a custom domain: its certificate makes the TLS acknowledgement unnecessary, and none is made', () => {
    const base = loadConfig(CONFIG_DIR, 'preview');
    const domain = { name: 'preview.wecare.digital', certificateArn: 'arn:aws:acm:us-east-1:809904170947:certificate/0b5c1f4e-7d2a-4c61-9a3e-2f8d6b1c9e70', hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'wecare.digital' } };
    const built = buildTestApp({ nag: true, branch: 'feature/nag-check', configs: { preview: { ...base, domain } } });
    const error = synth(built.app);
    const report = readReport(built.outdir);
    assert.equal(error, undefined, `synthesis failed:\n${describeViolations(report)}`);
    assert.deepEqual((report?.pluginReports.filter((p) => p.pluginName === 'AwsSolutions') ?? []).flatMap((p) => p.violations.map((v) => v.ruleName)), []);
    const acknowledged = checkAcknowledgements(built.app);
    assert.ok(acknowledged.some((a) => a.id === 'AwsSolutions-CFR2'), 'a preview has no WAF, and says why');
    assert.ok(!acknowledged.some((a) => a.id === 'AwsSolutions-CFR4'), 'no default certificate to excuse');
  });

  it('still passes with an inference profile as the knowledge base\'s model: its foundation model in any region is acknowledged, for ai-query-kb only', () => {
    const base = withAgentAlias(loadConfig(CONFIG_DIR, 'production'));
    const profiled: EnvironmentConfig = {
      ...base,
      senders: [{ tenant: 'wecare', channel: 'whatsapp', id: `phone-number-id-${'a'.repeat(32)}`, label: '+91 93309 94400', default: true, wabaId: '1347766229904230' }, ...base.senders],
      existing: { ...base.existing, bedrockModelArn: 'arn:aws:bedrock:us-east-1:809904170947:inference-profile/us.amazon.nova-pro-v1:0' },
    };
    const built = buildTestApp({ nag: true, environments: ['production'], configs: { production: profiled } });
    const error = synth(built.app);
    const report = readReport(built.outdir);
    assert.equal(error, undefined, `synthesis failed:\n${describeViolations(report)}`);
    assert.deepEqual((report?.pluginReports.filter((p) => p.pluginName === 'AwsSolutions') ?? []).flatMap((p) => p.violations.map((v) => v.ruleName)), []);
    const models = checkAcknowledgements(built.app).filter((a) => a.id.includes(':foundation-model/'));
    assert.deepEqual(
      models.map((a) => [a.path.replace(/^.*\/Functions\//, ''), a.id]),
      [['ai-query-kb', 'AwsSolutions-IAM5[Resource::arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0]']],
    );
  });

  it('is really attached: an unacknowledged queue fails synthesis', () => {
    const { app: probe, stacks, outdir: probeOut } = buildTestApp({ nag: true, environments: ['preview'] });
    const stack = stacks.get('preview');
    assert.ok(stack);
    new Queue(stack, 'UnreviewedQueue');
    assert.throws(() => probe.synth(), /Validation failed/);
    const found = readReport(probeOut)?.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName)) ?? [];
    assert.ok(found.includes('AwsSolutions-SQS3') && found.includes('AwsSolutions-SQS4'), found.join(', '));
  });
});
