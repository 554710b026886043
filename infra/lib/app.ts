// Why this exists: one function builds the whole CDK app — a stack per environment, from the
// checked-in configs and schema.json, with the AwsSolutions checks of cdk-nag attached — so that
// bin/app.ts (the only reader of the process environment) and the tests build exactly the same
// thing, differing only in the options they pass.

import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvironmentName, loadConfig } from './config';
import type { Schema } from './schema';
import { WecareStack } from './wecare-stack';
import type { FunctionWiring } from './wiring';

export interface BuildAppOptions {
  readonly schema: Schema;
  /** Directory of `<environment>.json` files; ignored for environments given in `configs`. */
  readonly configDir: string;
  /** `<repo>/functions`. */
  readonly functionsDir: string;
  /** Environments to build; all three by default. */
  readonly environments?: readonly EnvironmentName[];
  /** Configurations to use instead of reading them from `configDir` (tests). */
  readonly configs?: Partial<Record<EnvironmentName, EnvironmentConfig>>;
  readonly appProps?: AppProps;
  /** Attach cdk-nag's AwsSolutions checks (default true). */
  readonly nag?: boolean;
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
}

/** The name of an environment's stack, as `cdk deploy` takes it. */
export function stackName(environment: EnvironmentName): string {
  return `WecareDigital-${environment}`;
}

export function buildApp(options: BuildAppOptions): { app: App; stacks: Map<EnvironmentName, WecareStack> } {
  const app = new App(options.appProps);
  const stacks = new Map<EnvironmentName, WecareStack>();
  for (const environment of options.environments ?? ENVIRONMENTS) {
    const config = options.configs?.[environment] ?? loadConfig(options.configDir, environment);
    stacks.set(
      environment,
      new WecareStack(app, stackName(environment), {
        config,
        schema: options.schema,
        functionsDir: options.functionsDir,
        wiring: options.wiring,
        terminationProtection: environment === 'production',
      }),
    );
  }
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
