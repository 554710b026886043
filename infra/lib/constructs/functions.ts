// Why this exists: one RustLambda per function listed in schema.json — a function added to the
// Rust workspace and to `wecare_core::routes::FUNCTIONS` appears here without touching this
// file — with its table, sender, WhatsApp and media-bucket permissions granted from lib/wiring.ts
// at the moment it is wired.

import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { RustFunction } from 'cargo-lambda-cdk';
import { Construct } from 'constructs';
import { type FunctionWiring, type MediaAccess, type SendChannel, wiringOf, WIRING } from '../wiring';
import type { Data } from './data';
import { RustLambda } from './rust-function';

/** Where inbound WhatsApp media is stored in the media bucket (the handler's keys start with it). */
export const INCOMING_MEDIA_PREFIX = 'incoming/';

/**
 * How cdk-nag names an ARN in a finding. The stacks have a concrete region, so the partition of
 * an imported bucket's ARN resolves to a literal and the ARN to a plain string.
 */
function nagArn(scope: Construct, arn: string): string {
  const resolved: unknown = Stack.of(scope).resolve(arn);
  if (typeof resolved !== 'string') throw new Error(`cannot name ${JSON.stringify(resolved)} for cdk-nag: the stack needs a concrete region`);
  return resolved;
}

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
  /** ARNs of the configured WhatsApp phone numbers, the only resources of a wiring's `whatsApp` actions. */
  readonly whatsAppNumbers: readonly string[];
  /** The existing media bucket, for a wiring's `media`. */
  readonly mediaBucket: IBucket;
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
      // Like a send: no configured number, nothing to allow (and an empty Resource is invalid).
      if (wiring.whatsApp !== undefined && wiring.whatsApp.length > 0 && props.whatsAppNumbers.length > 0) {
        fn.function.addToRolePolicy(
          new PolicyStatement({ actions: wiring.whatsApp.map((a) => `social-messaging:${a}`), resources: [...props.whatsAppNumbers] }),
        );
      }
      if (wiring.media !== undefined) this.wireMedia(fn, wiring.media, props.mediaBucket);
      all.set(name, fn);
    }
    this.all = all;
  }

  private wireMedia(fn: RustLambda, access: MediaAccess, bucket: IBucket): void {
    fn.function.addEnvironment('MEDIA_BUCKET', bucket.bucketName);
    // Single actions, not grantRead/grantPut: those add s3:List*, GetBucket*, tagging, retention…
    const [action, objects, why] =
      access === 'read'
        ? ['s3:GetObject', '*', 'it signs short-lived download URLs for media files, which are keyed by tenant and message under prefixes the function does not choose']
        : ['s3:PutObject', `${INCOMING_MEDIA_PREFIX}*`, `End User Messaging Social copies each inbound file to ${INCOMING_MEDIA_PREFIX}<tenant>/<message>/<media id>, a key that exists only once the message arrives`];
    const resource = bucket.arnForObjects(objects);
    fn.function.addToRolePolicy(new PolicyStatement({ actions: [action], resources: [resource] }));
    if (fn.ownsRole) {
      Validations.of(fn).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(this, resource)}]`,
        reason: `Only ${action} is allowed, on objects of the media bucket${objects === '*' ? '' : ` under ${INCOMING_MEDIA_PREFIX}`}: ${why}, so no narrower ARN can be written in advance.`,
      });
    }
  }

  /** The function called `name`; schema.json guarantees routes only name existing ones. */
  get(name: string): RustFunction {
    const fn = this.all.get(name);
    if (!fn) throw new Error(`no function ${name} (functions: ${[...this.all.keys()].join(', ')})`);
    return fn.function;
  }
}
