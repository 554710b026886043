// Why this exists: the one wrapper around cargo-lambda-cdk's RustFunction. Everything every
// function shares is fixed here once — Graviton (arm64) on provided.al2023, memory, the API
// timeout, the shared log group, X-Ray tracing, the common environment and an execution role that
// can do nothing but write its logs and traces — so the functions cannot drift apart, and what a
// function may touch beyond that (or the longer timeout of a queue consumer) is decided where it
// is wired. The code is either built by cargo-lambda during synthesis or, given `make build`'s
// directory, its zip of the function: CI builds once and deploys exactly what it built.

import { Duration, Validations } from 'aws-cdk-lib';
import { IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { RustFunction } from 'cargo-lambda-cdk';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Memory of every function; Rust handlers need little, but CPU (TLS, JWKS) scales with it. */
export const FUNCTION_MEMORY_MB = 256;

/**
 * The longest API Gateway waits for a Lambda integration: 29 s (CDK refuses an integration
 * timeout above it; an HTTP API's own ceiling is 30 s).
 */
export const API_INTEGRATION_TIMEOUT = Duration.seconds(29);

/**
 * Timeout of every function unless it is given another (only a function no route serves may be).
 * Not above the integration timeout: a request that runs too long then ends as the function's own
 * timeout — logged with its request id, counted by its Errors alarm — before API Gateway gives up
 * on it, instead of racing the gateway.
 */
export const FUNCTION_TIMEOUT = API_INTEGRATION_TIMEOUT;

/** Lambda's ceiling for any function's timeout. */
export const MAX_FUNCTION_TIMEOUT = Duration.minutes(15);

export const FUNCTION_ARCHITECTURE = Architecture.ARM_64;
export const FUNCTION_RUNTIME = 'provided.al2023';

export interface RustLambdaProps {
  /** Crate, binary and Lambda name (`contacts-create`). */
  readonly name: string;
  /** Directory holding the function crates (`<repo>/functions`); the crate is `<dir>/<name>`. */
  readonly functionsDir: string;
  /** Physical function name. */
  readonly functionName: string;
  /** The variables every function gets (SEND_MODE, ENVIRONMENT, LOG_LEVEL, tables, queues …). */
  readonly commonEnvironment: Readonly<Record<string, string>>;
  /** The log group all functions write to. */
  readonly logGroup: ILogGroup;
  /** An existing role to run as; by default the function gets its own, least-privilege role. */
  readonly sharedRole?: IRole;
  /** `FUNCTION_TIMEOUT` unless given (a queue consumer's, which no route serves). */
  readonly timeout?: Duration;
  /**
   * Actions besides X-Ray's that are granted on "*" where the function is wired (actions with no
   * resource type), each with why; the acknowledgement of the "*" wildcard names them.
   */
  readonly onAnyResource?: readonly { readonly action: string; readonly why: string }[];
  /**
   * `make build`'s output for this architecture (`target/lambda-arm64`): the function's code is
   * `<dir>/<name>/bootstrap.zip` as built, instead of a cargo-lambda build during synthesis.
   */
  readonly prebuiltLambdaDir?: string;
}

/** The zip `make build` leaves for a function, or an error saying how to get it. */
export function prebuiltZip(dir: string, name: string): string {
  const zip = join(dir, name, 'bootstrap.zip');
  if (!existsSync(zip)) {
    throw new Error(`${zip} does not exist: run \`make build\` first (arm64 zips in target/lambda-arm64), or leave WECARE_LAMBDA_DIR unset to build the functions during synthesis`);
  }
  return zip;
}

export class RustLambda extends Construct {
  readonly function: LambdaFunction;
  readonly role: IRole;
  /** True when `role` is this function's own role, to which grants are added. */
  readonly ownsRole: boolean;
  /** The function's timeout (`Function.timeout` is optional in CDK's types; here it is always set). */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: RustLambdaProps) {
    super(scope, id);
    this.timeout = props.timeout ?? FUNCTION_TIMEOUT;
    if (this.timeout.toSeconds() < 1 || this.timeout.toSeconds() > MAX_FUNCTION_TIMEOUT.toSeconds()) {
      throw new Error(`${props.name}: a timeout of ${this.timeout.toHumanString()} is outside Lambda's 1 s to ${MAX_FUNCTION_TIMEOUT.toHumanString()}`);
    }
    this.ownsRole = props.sharedRole === undefined;
    this.role = props.sharedRole ?? new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}: its logs and traces, plus what it is granted where it is wired`,
    });

    const shared = {
      functionName: props.functionName,
      description: `WECARE.DIGITAL ${props.name}`,
      architecture: FUNCTION_ARCHITECTURE,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: this.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: props.logGroup,
      loggingFormat: LoggingFormat.JSON,
      role: this.role,
      environment: { ...props.commonEnvironment },
    };
    this.function =
      props.prebuiltLambdaDir === undefined
        ? new RustFunction(this, 'Function', {
            ...shared,
            manifestPath: join(props.functionsDir, props.name, 'Cargo.toml'),
            binaryName: props.name,
            runtime: FUNCTION_RUNTIME,
            bundling: {
              architecture: FUNCTION_ARCHITECTURE,
              // aws-lc's jitter entropy costs tens of ms of CPU at the first random number of a cold start.
              environment: { AWS_LC_SYS_NO_JITTER_ENTROPY: '1' },
            },
          })
        : // What RustFunction makes of a build, from the zip of one: a `bootstrap` on provided.al2023.
          new LambdaFunction(this, 'Function', {
            ...shared,
            code: Code.fromAsset(prebuiltZip(props.prebuiltLambdaDir, props.name)),
            handler: 'bootstrap',
            runtime: Runtime.PROVIDED_AL2023,
          });

    if (this.ownsRole) {
      props.logGroup.grantWrite(this.role);
      const others = props.onAnyResource ?? [];
      Validations.of(this).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (the X-Ray documentation requires "*"); ' +
          (others.length === 0
            ? 'no other statement of this role uses "*".'
            : `the only other actions of this role on "*" are ${others.map((o) => `${o.action} (${o.why})`).join('; ')}.`),
      });
    }
  }
}
