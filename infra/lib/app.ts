// Why this exists: one function builds the whole CDK app — the stack a branch deploys (or, for
// the tests, a stack per environment), from the checked-in configs and schema.json, with the
// AwsSolutions checks of cdk-nag attached — so that bin/app.ts (the only reader of the process
// environment) and the tests build exactly the same thing, differing only in the options they pass.

import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type BranchDeployment, deploymentForBranch, previewConfig, stackNameOf } from './branches';
import { type EnvironmentConfig, type EnvironmentName, loadConfig } from './config';
import type { Schema } from './schema';
import { WecareStack } from './wecare-stack';
import type { FunctionWiring } from './wiring';

export interface BuildAppOptions {
  readonly schema: Schema;
  /** Directory of `<environment>.json` files; ignored for environments given in `configs`. */
  readonly configDir: string;
  /** `<repo>/functions`. */
  readonly functionsDir: string;
  /**
   * The branch to deploy (lib/branches.ts): its one stack is built. The CLI's `-c branch=…`
   * context, when given, wins; without either, `environments`.
   */
  readonly branch?: string;
  /** Environments to build, a stack each under its checked-in prefix (tests; no branch given). */
  readonly environments?: readonly EnvironmentName[];
  /** Configurations to use instead of reading them from `configDir` (tests). */
  readonly configs?: Partial<Record<EnvironmentName, EnvironmentConfig>>;
  readonly appProps?: AppProps;
  /** Attach cdk-nag's AwsSolutions checks (default true). */
  readonly nag?: boolean;
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
  /**
   * `make build`'s `target/lambda-arm64`: deploy its `<function>/bootstrap.zip` files instead of
   * building every function with cargo-lambda during synthesis.
   */
  readonly prebuiltLambdaDir?: string;
}

/** Raised when the app is asked to build nothing in particular. */
export class NoBranchError extends Error {
  constructor() {
    super(
      'say which branch to deploy: -c branch=main (production), -c branch=release/<name> (staging) or -c branch=feature/<name> (its own preview), ' +
        'e.g. npx cdk deploy -c branch=main; the BRANCH environment variable works too',
    );
    this.name = 'NoBranchError';
  }
}

/** The name of an environment's stack as built without a branch (a preview's carries its id). */
export function stackName(environment: EnvironmentName): string {
  return stackNameOf(environment);
}

export function buildApp(options: BuildAppOptions): { app: App; stacks: Map<EnvironmentName, WecareStack>; deployment?: BranchDeployment } {
  const app = new App(options.appProps);
  const stacks = new Map<EnvironmentName, WecareStack>();
  const configOf = (environment: EnvironmentName): EnvironmentConfig => options.configs?.[environment] ?? loadConfig(options.configDir, environment);
  const build = (id: string, config: EnvironmentConfig): WecareStack =>
    new WecareStack(app, id, {
      config,
      schema: options.schema,
      functionsDir: options.functionsDir,
      wiring: options.wiring,
      prebuiltLambdaDir: options.prebuiltLambdaDir,
      terminationProtection: config.environment === 'production',
    });

  const context: unknown = app.node.tryGetContext('branch');
  const branch = typeof context === 'string' && context !== '' ? context : options.branch;
  let deployment: BranchDeployment | undefined;
  if (branch !== undefined) {
    deployment = deploymentForBranch(branch);
    const base = configOf(deployment.environment);
    const config = deployment.preview === undefined ? base : previewConfig(base, deployment.preview);
    stacks.set(deployment.environment, build(deployment.stackName, config));
  } else if (options.environments !== undefined) {
    for (const environment of options.environments) stacks.set(environment, build(stackName(environment), configOf(environment)));
  } else {
    throw new NoBranchError();
  }
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks, ...(deployment === undefined ? {} : { deployment }) };
}
