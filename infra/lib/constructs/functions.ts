// Why this exists: one RustLambda per function listed in schema.json — a function added to the
// Rust workspace and to `wecare_core::routes::FUNCTIONS` appears here without touching this
// file — with its table permissions granted from lib/wiring.ts at the moment it is wired.

import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { RustFunction } from 'cargo-lambda-cdk';
import { Construct } from 'constructs';
import { type FunctionWiring, type SendChannel, wiringOf, WIRING } from '../wiring';
import type { Data } from './data';
import { RustLambda } from './rust-function';

export interface FunctionsProps {
  /** Function names from schema.json. */
  readonly names: readonly string[];
  readonly functionsDir: string;
  readonly resourcePrefix: string;
  readonly commonEnvironment: Readonly<Record<string, string>>;
  readonly logGroup: ILogGroup;
  readonly data: Data;
  /** Run all functions as this existing role instead of one least-privilege role each. */
  readonly sharedRole?: IRole;
  /** The senders each provider may be used with: ARNs of the configured numbers, pool, identity. */
  readonly senders: Readonly<Record<SendChannel, { readonly actions: readonly string[]; readonly resources: readonly string[] }>>;
  /** Grants per function; the platform's table (lib/wiring.ts) unless a test passes another. */
  readonly wiring?: Readonly<Record<string, FunctionWiring>>;
}

export class Functions extends Construct {
  readonly all: ReadonlyMap<string, RustLambda>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const all = new Map<string, RustLambda>();
    for (const name of props.names) {
      const wiring = wiringOf(name, props.wiring ?? WIRING);
      const fn = new RustLambda(this, name, {
        name,
        functionsDir: props.functionsDir,
        functionName: `${props.resourcePrefix}${name}`,
        commonEnvironment: props.commonEnvironment,
        logGroup: props.logGroup,
        sharedRole: props.sharedRole,
      });
      for (const [tableName, access] of Object.entries(wiring.tables)) {
        const table = props.data.table(tableName);
        if (access === 'read') table.grantReadData(fn.function);
        else if (access === 'write') table.grantWriteData(fn.function);
        else table.grantReadWriteData(fn.function);
        if (fn.ownsRole && props.data.hasIndexes(tableName)) {
          Validations.of(fn).acknowledge({
            id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((table.node.defaultChild as CfnTable).logicalId)}.Arn>/index/*]`,
            reason: `The grant on ${tableName} includes its own global secondary indexes (declared in schema.json) through ${tableName}/index/*; the wildcard cannot reach any other table.`,
          });
        }
      }
      for (const channel of wiring.sends ?? []) {
        const sender = props.senders[channel];
        // No configured sender (e.g. no WhatsApp numbers yet) means nothing to allow: sends are
        // refused by the allowlist before any provider call.
        if (sender.resources.length > 0) {
          fn.function.addToRolePolicy(
            new PolicyStatement({ actions: [...sender.actions], resources: [...sender.resources] }),
          );
        }
      }
      all.set(name, fn);
    }
    this.all = all;
  }

  /** The function called `name`; schema.json guarantees routes only name existing ones. */
  get(name: string): RustFunction {
    const fn = this.all.get(name);
    if (!fn) throw new Error(`no function ${name} (functions: ${[...this.all.keys()].join(', ')})`);
    return fn.function;
  }
}
