// Why this exists: a push deploys exactly one environment, and which one is decided here and
// nowhere else — bin/app.ts builds the stack a branch names, and the CI workflows ask
// scripts/environment-for-branch.ts, which calls this module. The table is the specification's:
//
//   main       → production (LIVE)
//   hotfix/*   → production (LIVE)
//   release/*  → staging    (DRY_RUN)
//   feature/*  → a preview of its own per branch (DRY_RUN)
//
// and every other branch is refused. A preview is `config/preview.json` under a resource prefix
// derived from its branch name: every physical name of the stack starts with it, so two previews
// never share a table, queue, function or log group, and the prefix keeps within the shortest
// naming rule the stack meets (see MAX_RESOURCE_PREFIX_LENGTH). The send mode follows
// LIVE_ENVIRONMENTS, and the stack checks it again: nothing but production is ever LIVE.

import { createHash } from 'node:crypto';
import { type EnvironmentConfig, type EnvironmentName, LIVE_ENVIRONMENTS, MAX_RESOURCE_PREFIX_LENGTH, type SendMode } from './config';

/** Where a branch deploys, and how. */
export interface BranchDeployment {
  /** The branch as given (without `refs/heads/`). */
  readonly branch: string;
  /** Which `config/<environment>.json` the stack is built from. */
  readonly environment: EnvironmentName;
  /** LIVE for production, DRY_RUN for everything else. */
  readonly sendMode: SendMode;
  /** The CloudFormation stack (`WecareDigital-production`, `WecareDigital-preview-<id>`). */
  readonly stackName: string;
  /** Set for a feature branch: its own preview, apart from every other branch's. */
  readonly preview?: Preview;
}

/** A feature branch's own preview environment. */
export interface Preview {
  /**
   * `<slug>-<hash>`: up to PREVIEW_SLUG_LENGTH characters of the branch name (lower case,
   * anything but letters and digits turned into `-`), then 8 hex digits of the SHA-256 of the
   * whole branch name, so that branches whose names shorten or fold to the same slug
   * (`feature/Login`, `feature/login`) still get previews of their own.
   */
  readonly id: string;
  /** `wecare-pv-<id>-`, the start of every physical name of the preview's stack. */
  readonly resourcePrefix: string;
}

/** Raised for a branch that deploys nowhere; the message says which branches do. */
export class BranchError extends Error {
  constructor(branch: string, why: string) {
    super(`branch ${JSON.stringify(branch)} ${why}. Branches that deploy: main and hotfix/* (production, LIVE), release/* (staging, DRY_RUN), feature/* (a preview per branch, DRY_RUN)`);
    this.name = 'BranchError';
  }
}

/** The branch patterns, in the order they are tried. */
const RULES: readonly { readonly matches: (branch: string) => boolean; readonly environment: EnvironmentName }[] = [
  { matches: (b) => b === 'main', environment: 'production' },
  { matches: (b) => b.startsWith('hotfix/'), environment: 'production' },
  { matches: (b) => b.startsWith('release/'), environment: 'staging' },
  { matches: (b) => b.startsWith('feature/'), environment: 'preview' },
];

/** What a preview's prefix starts with; `wecare-` like every environment's, `pv-` for preview. */
export const PREVIEW_PREFIX_START = 'wecare-pv-';
/** Hex digits of the branch name's SHA-256 in a preview id (32 bits). */
export const PREVIEW_HASH_LENGTH = 8;
/**
 * The most characters of a branch name kept in its preview id: what the longest prefix allows
 * once `wecare-pv-`, `-`, the hash and the closing `-` are counted.
 */
export const PREVIEW_SLUG_LENGTH = MAX_RESOURCE_PREFIX_LENGTH - PREVIEW_PREFIX_START.length - 1 - PREVIEW_HASH_LENGTH - 1;

/** Git allows more than this in a branch name; a deployable branch keeps to it. */
const BRANCH_CHARACTERS = /^[A-Za-z0-9._/-]+$/;
/** Git's own limit on a ref's length is the file system's; GitHub's is 255 bytes for `refs/heads/…`. */
const MAX_BRANCH_LENGTH = 244;

/** Refuses what git would refuse as a branch name, and characters a deployable branch need not use. */
function checkBranchName(branch: string): void {
  if (branch.length === 0) throw new BranchError(branch, 'is empty');
  if (branch.length > MAX_BRANCH_LENGTH) throw new BranchError(branch, `is longer than ${MAX_BRANCH_LENGTH} characters`);
  if (!BRANCH_CHARACTERS.test(branch)) throw new BranchError(branch, 'has characters other than letters, digits, ".", "_", "-" and "/"');
  const segments = branch.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.') || s.endsWith('.lock')) || branch.endsWith('.') || branch.includes('..')) {
    throw new BranchError(branch, 'is not a valid git branch name (an empty segment, a segment starting with "." or ending with ".lock", "..", or a trailing ".")');
  }
}

/** A feature branch's preview id and prefix (see Preview). */
export function previewOf(branch: string): Preview {
  const rest = branch.slice(branch.indexOf('/') + 1);
  const slug = rest
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, PREVIEW_SLUG_LENGTH)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(branch, 'utf8').digest('hex').slice(0, PREVIEW_HASH_LENGTH);
  const id = slug === '' ? hash : `${slug}-${hash}`;
  return { id, resourcePrefix: `${PREVIEW_PREFIX_START}${id}-` };
}

/** The stack of an environment; a preview's carries its id. */
export function stackNameOf(environment: EnvironmentName, preview?: Preview): string {
  return preview === undefined ? `WecareDigital-${environment}` : `WecareDigital-${environment}-${preview.id}`;
}

/**
 * Where `branch` deploys. Takes `main`, `feature/x` or `refs/heads/feature/x`; anything outside
 * the table, or not a valid branch name, throws a BranchError.
 */
export function deploymentForBranch(ref: string): BranchDeployment {
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
  checkBranchName(branch);
  const rule = RULES.find((r) => r.matches(branch));
  if (rule === undefined) throw new BranchError(branch, 'deploys nowhere');
  const preview = rule.environment === 'preview' ? previewOf(branch) : undefined;
  return {
    branch,
    environment: rule.environment,
    // The last word stays the stack's own check (assertSendModeAllowed); this never says LIVE
    // for anything it would refuse.
    sendMode: LIVE_ENVIRONMENTS.includes(rule.environment) ? 'LIVE' : 'DRY_RUN',
    stackName: stackNameOf(rule.environment, preview),
    ...(preview === undefined ? {} : { preview }),
  };
}

/**
 * A feature branch's preview: `config/preview.json` with the preview's own resource prefix, its
 * own log group (`<preview.json's>/<id>`, a name CloudWatch allows once per account and region)
 * and, when preview.json has a domain, the host `<id>.<domain>` (its certificate must cover
 * `*.<domain>`), so that previews side by side share no named resource.
 */
export function previewConfig(base: EnvironmentConfig, preview: Preview): EnvironmentConfig {
  if (base.environment !== 'preview') throw new Error(`a preview is built from the preview configuration, not ${base.environment}'s`);
  return {
    ...base,
    resourcePrefix: preview.resourcePrefix,
    logGroupName: `${base.logGroupName}/${preview.id}`,
    domain: base.domain === null ? null : { ...base.domain, name: `${preview.id}.${base.domain.name}` },
  };
}

/**
 * What the CI workflows need to know of a branch's deployment, as `name=value` lines for
 * `$GITHUB_OUTPUT`: the environment (also the GitHub environment the job runs in), the stack, its
 * resource prefix, the send mode it deploys with and, for a preview, its id (else empty).
 */
export function workflowOutputs(deployment: BranchDeployment, config: EnvironmentConfig): string {
  const outputs: [string, string][] = [
    ['environment', deployment.environment],
    ['stack', deployment.stackName],
    ['prefix', config.resourcePrefix],
    ['send-mode', config.sendMode],
    ['preview-id', deployment.preview?.id ?? ''],
  ];
  return outputs.map(([name, value]) => `${name}=${value}\n`).join('');
}
